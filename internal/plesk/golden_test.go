package plesk_test

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// goldenCase posts testdata/<name>.req.xml on a fresh fixture (see
// mustEnv) and compares the answer with testdata/<name>.resp.xml.
// UPDATE_GOLDEN=1 rewrites the answers; review them before committing.
type goldenCase struct {
	name    string
	auth    auth
	compact bool                       // no HTTP_PRETTY_PRINT header
	shared  bool                       // read-only: runs on one fixture shared by such cases
	setup   func(*testing.T, *testEnv) // before the request
	check   func(*testing.T, *testEnv) // after it: effects on the store and disk
}

// crDate is the creation date of a webspace, which changes every day.
var crDate = regexp.MustCompile(`<cr_date>\d{4}-\d\d-\d\d</cr_date>`)

func TestGolden(t *testing.T) {
	shared := mustEnv(t) // closed after the parallel subtests
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := shared
			if !tc.shared {
				e = mustEnv(t)
			}
			if tc.setup != nil {
				tc.setup(t, e)
			}
			req, err := os.ReadFile(filepath.Join("testdata", tc.name+".req.xml"))
			if err != nil {
				t.Fatal(err)
			}
			r := e.post(t, tc.auth, req, !tc.compact)
			mustAnswer(t, r)
			got := crDate.ReplaceAll(r.Body, []byte("<cr_date>DATE</cr_date>"))
			path := filepath.Join("testdata", tc.name+".resp.xml")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("answer differs from %s\ngot:\n%s\nwant:\n%s", path, got, want)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

func goldenCases() []goldenCase {
	return []goldenCase{
		// ftp-user add
		{name: "add_seed_single", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			a := mustAccount(t, e, "jenny")
			if a.Home != "/" || a.SiteID != 1 {
				t.Fatalf("jenny: home %q site %d, want / on site 1", a.Home, a.SiteID)
			}
			mustFTPLogin(t, e, "jenny", "jdnHHbe6Gc")
		}},
		{name: "add_seed_photoshare", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			dir := filepath.Join(e.SitesDir, "example.com", "private", "photoshare", "Incoming")
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				t.Fatalf("home folder %s: %v", dir, err)
			}
			for _, tc := range []struct {
				login       string
				read, write bool
			}{{"photo1", true, true}, {"photo2", true, true}, {"photo3", true, false}} {
				a := mustAccount(t, e, tc.login)
				if a.Home != "/private/photoshare/Incoming" || a.QuotaBytes != 104857600 || a.Read != tc.read || a.Write != tc.write {
					t.Fatalf("%s = home %q quota %d read %v write %v", tc.login, a.Home, a.QuotaBytes, a.Read, a.Write)
				}
			}
			mustFTPLogin(t, e, "photo2", "J7chhend")
		}},
		{name: "add_booleans", auth: asAdmin},
		{name: "add_entities", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			mustFTPLogin(t, e, "amp", `Pa&ss<w0rd>"'`)
			mustFTPLogin(t, e, "cdata", "Sec<ret>&9")
		}},
		{name: "add_errors", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			for _, dir := range []string{"Global_Upload", "httpdocs/nope"} {
				if _, err := os.Stat(filepath.Join(e.SitesDir, "example.com", dir)); !os.IsNotExist(err) {
					t.Fatalf("%s: err = %v, want it not to exist", dir, err)
				}
			}
			mustAccountCount(t, e, 3)
		}},
		{name: "add_limit", auth: asAdmin, setup: func(t *testing.T, e *testEnv) {
			three := 3
			if _, err := e.Service.UpdateSite(e.Admin(context.Background()), "example.com",
				hosting.SiteUpdate{MaxFTPAccounts: &three}); err != nil {
				t.Fatal(err)
			}
		}},
		// ftp-user get: every filter kind
		{name: "get_by_id", shared: true, auth: asAdmin},
		{name: "get_by_name", shared: true, auth: asAdmin},
		{name: "get_by_webspace_id", shared: true, auth: asAdmin},
		{name: "get_by_webspace_name", shared: true, auth: asAdmin},
		{name: "get_all", shared: true, auth: asAdmin},
		{name: "get_scoped", shared: true, auth: asAdmin},
		{name: "get_compact", shared: true, auth: asAdminKey, compact: true},
		// ftp-user set
		{name: "set_values", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			mustFTPLogin(t, e, "webdev", "N3w-Passw0rd")
			a := mustAccount(t, e, "webdev")
			if a.Home != "/httpdocs/new/uploads" || a.QuotaBytes != 5000 || !a.Read || a.Write {
				t.Fatalf("webdev = %+v", a)
			}
			mustAccount(t, e, "archive2")
		}},
		{name: "set_errors", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			mustFTPLogin(t, e, "webdev", hostingtest.Password)
			mustFTPLogin(t, e, "examplemain", hostingtest.Password)
		}},
		{name: "set_by_webspace", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			for _, l := range []string{"webdev", "archive"} {
				if a := mustAccount(t, e, l); a.QuotaBytes != 2048 {
					t.Fatalf("%s quota = %d, want 2048", l, a.QuotaBytes)
				}
			}
			if a := mustAccount(t, e, "examplemain"); a.QuotaBytes != -1 {
				t.Fatalf("main account quota = %d, want -1 (untouched)", a.QuotaBytes)
			}
		}},
		// ftp-user del
		{name: "del", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			mustAccountCount(t, e, 1)
			mustAccount(t, e, "examplemain")
		}},
		{name: "del_by_webspace_name", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			mustAccountCount(t, e, 1)
		}},
		// several operators and operations, some failing
		{name: "mixed", auth: asAdmin},
		// customers: alice sees and manages only her own sites
		{name: "customer_own", auth: asAlice},
		{name: "customer_other", auth: asAlice, check: func(t *testing.T, e *testEnv) {
			mustFTPLogin(t, e, "bobftp", hostingtest.Password)
			mustAccountCount(t, e, 3)
		}},
		// webspace get
		{name: "webspace_get", auth: asAdmin, setup: func(t *testing.T, e *testEnv) {
			if _, err := e.Service.SetSiteStatus(e.Admin(context.Background()), "bob.example", hosting.StatusSuspended); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "webspace_get_customer", shared: true, auth: asAliceKey},
		// packet-level errors
		{name: "system_auth", shared: true, auth: asWrongPass},
		{name: "system_key", shared: true, auth: asBadKey},
		{name: "system_malformed", shared: true, auth: asAdmin},
		{name: "system_unknown_operator", auth: asAdmin, check: func(t *testing.T, e *testEnv) {
			mustAccountCount(t, e, 3) // the valid add before the unknown operator did not run
		}},
		{name: "system_unknown_operation", shared: true, auth: asAdmin},
		{name: "system_unknown_element", shared: true, auth: asAdmin},
		{name: "system_mixed_filter", shared: true, auth: asAdmin},
		{name: "system_missing_name", shared: true, auth: asAdmin},
		{name: "system_version", shared: true, auth: asAdmin},
		{name: "system_entity", shared: true, auth: asAdmin},
	}
}

// mustAccount returns an account by login, main accounts included.
func mustAccount(t *testing.T, e *testEnv, login string) *hosting.Account {
	t.Helper()
	a, err := e.Service.Account(e.Admin(context.Background()), login)
	if err != nil {
		t.Fatalf("account %s: %v", login, err)
	}
	return a
}

// mustAccountCount checks the number of additional accounts.
func mustAccountCount(t *testing.T, e *testEnv, want int) {
	t.Helper()
	no := false
	n, err := e.Service.CountAccounts(e.Admin(context.Background()), hosting.AccountFilter{Main: &no})
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("additional accounts = %d, want %d", n, want)
	}
}

// mustFTPLogin checks that login and password pass the FTP server's
// authentication.
func mustFTPLogin(t *testing.T, e *testEnv, login, password string) {
	t.Helper()
	if _, err := e.Service.AuthenticateFTP(context.Background(), login, password, netip.MustParseAddr("127.0.0.1")); err != nil {
		t.Fatalf("FTP login %s: %v", login, err)
	}
}
