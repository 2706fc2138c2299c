package api

import (
	"context"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

func TestAPI_Accounts(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	root := filepath.Join(e.SitesDir, "alice.example")
	localhost := netip.MustParseAddr("127.0.0.1")

	t.Run("Create", func(t *testing.T) {
		r := e.do(t, e.alice, "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "web",
			"password": "Kx9-Secret-77", "home": "/httpdocs/uploads", "create_missing": true, "quota_bytes": 1 << 20,
			"read": true, "write": false, "expires_at": "2099-01-02T03:04:05+01:00", "allowed_ips": []string{"192.0.2.0/24", "::1"}}).want(t, 201)
		a := decodeAs[accountJSON](t, r)
		want := accountJSON{Login: "web", Site: "alice.example", Customer: "alice", Home: "/httpdocs/uploads",
			QuotaBytes: 1 << 20, Read: true, Write: false, Status: hosting.StatusActive, EffectiveStatus: hosting.StatusActive}
		if a.Login != want.Login || a.Site != want.Site || a.Customer != want.Customer || a.Home != want.Home ||
			a.QuotaBytes != want.QuotaBytes || a.Read != want.Read || a.Write != want.Write || a.Status != want.Status ||
			a.EffectiveStatus != want.EffectiveStatus || a.Main || a.Password != "" {
			t.Errorf("created %+v", a)
		}
		if a.ExpiresAt == nil || !a.ExpiresAt.Equal(time.Date(2099, 1, 2, 2, 4, 5, 0, time.UTC)) {
			t.Errorf("expires_at=%v", a.ExpiresAt)
		}
		if !slices.Equal(a.AllowedIPs, []string{"192.0.2.0/24", "::1"}) {
			t.Errorf("allowed_ips=%v", a.AllowedIPs)
		}
		if a.Connection == nil || a.Connection.Host != "ftp.example.net" || a.Connection.Port != 21 {
			t.Errorf("connection=%+v", a.Connection)
		}
		if fi, err := os.Stat(filepath.Join(root, "httpdocs", "uploads")); err != nil || !fi.IsDir() {
			t.Errorf("home not created: %v", err)
		}
		if got, want := r.header.Get("Location"), "/api/v1/accounts/web"; got != want {
			t.Errorf("Location=%q, want %q", got, want)
		}
	})
	t.Run("CreateSimpleMode", func(t *testing.T) {
		a := decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts", map[string]any{"site": "alice.example"}).want(t, 201))
		if a.Login == "" || a.Password == "" || a.Home != "/" || !a.Read || !a.Write {
			t.Fatalf("simple mode created %+v", a)
		}
		if _, err := e.Service.AuthenticateFTP(ctx, a.Login, a.Password, localhost); err != nil {
			t.Errorf("generated credentials do not log in: %v", err)
		}
		if got := decodeAs[accountJSON](t, e.do(t, e.alice, "GET", "/api/v1/accounts/"+a.Login, nil).want(t, 200)); got.Password != "" {
			t.Errorf("password shown again")
		}
		e.do(t, e.alice, "DELETE", "/api/v1/accounts/"+a.Login, nil).want(t, 204)
	})
	t.Run("CreateBySiteID", func(t *testing.T) {
		s := decodeAs[siteJSON](t, e.do(t, e.bob, "GET", "/api/v1/sites/bob.example", nil).want(t, 200))
		a := decodeAs[accountJSON](t, e.do(t, e.bob, "POST", "/api/v1/accounts", map[string]any{"site_id": s.ID, "login": "bob2", "password": "Kx9-Secret-77"}).want(t, 201))
		if a.Site != "bob.example" {
			t.Errorf("site=%q", a.Site)
		}
	})
	t.Run("List", func(t *testing.T) {
		l := decodeAs[list[accountJSON]](t, e.do(t, e.alice, "GET", "/api/v1/accounts", nil).want(t, 200))
		if got, want := logins(l.Items), e.aliceMain+",alice1,web"; got != want {
			t.Errorf("alice sees %s, want %s", got, want)
		}
		l = decodeAs[list[accountJSON]](t, e.do(t, e.admin, "GET", "/api/v1/accounts?site=bob.example&main=false", nil).want(t, 200))
		if got, want := logins(l.Items), "bob1,bob2"; got != want {
			t.Errorf("bob.example additional: %s, want %s", got, want)
		}
		l = decodeAs[list[accountJSON]](t, e.do(t, e.admin, "GET", "/api/v1/accounts?customer=alice&q=we", nil).want(t, 200))
		if got, want := logins(l.Items), "web"; got != want {
			t.Errorf("customer=alice&q=we: %s, want %s", got, want)
		}
		l = decodeAs[list[accountJSON]](t, e.do(t, e.admin, "GET", "/api/v1/accounts?main=true", nil).want(t, 200))
		if got, want := logins(l.Items), e.aliceMain+","+e.bobMain; got != want {
			t.Errorf("main=true: %s, want %s", got, want)
		}
	})
	t.Run("ListPages", func(t *testing.T) {
		var all []string
		cursor := ""
		for range 10 {
			l := decodeAs[list[accountJSON]](t, e.do(t, e.admin, "GET", "/api/v1/accounts?limit=2"+cursor, nil).want(t, 200))
			if len(l.Items) > 2 {
				t.Fatalf("page of %d", len(l.Items))
			}
			all = append(all, logins(l.Items))
			if l.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *l.NextCursor
		}
		if got, want := strings.Join(all, "|"), e.aliceMain+","+e.bobMain+"|alice1,bob1|web,bob2"; got != want {
			t.Errorf("pages %s, want %s", got, want)
		}
	})
	t.Run("Update", func(t *testing.T) {
		if err := os.MkdirAll(filepath.Join(root, "private", "logs"), 0o755); err != nil {
			t.Fatal(err)
		}
		a := decodeAs[accountJSON](t, e.do(t, e.alice, "PATCH", "/api/v1/accounts/web", map[string]any{"home": "private/logs",
			"quota_bytes": -1, "write": true, "expires_at": nil, "allowed_ips": []string{}}).want(t, 200))
		if a.Home != "/private/logs" || a.QuotaBytes != -1 || !a.Write || !a.Read || a.ExpiresAt != nil || len(a.AllowedIPs) != 0 {
			t.Errorf("updated %+v", a)
		}
		a = decodeAs[accountJSON](t, e.do(t, e.alice, "PATCH", "/api/v1/accounts/web", map[string]any{"home": "/private/new", "create_missing": true}).want(t, 200))
		if a.Home != "/private/new" {
			t.Errorf("home=%q", a.Home)
		}
		a = decodeAs[accountJSON](t, e.do(t, e.alice, "PATCH", "/api/v1/accounts/web", map[string]any{}).want(t, 200))
		if a.Home != "/private/new" || a.QuotaBytes != -1 {
			t.Errorf("empty patch changed %+v", a)
		}
		a = decodeAs[accountJSON](t, e.do(t, e.alice, "PATCH", "/api/v1/accounts/web", map[string]any{"login": "webftp"}).want(t, 200))
		if a.Login != "webftp" {
			t.Errorf("rename: login=%q", a.Login)
		}
		e.do(t, e.alice, "GET", "/api/v1/accounts/web", nil).wantError(t, 404, hosting.CodeNotFound, "")
	})
	t.Run("Password", func(t *testing.T) {
		a := decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/password", map[string]any{"password": "New-Secret-4242"}).want(t, 200))
		if a.Password != "" {
			t.Errorf("a given password was echoed")
		}
		if _, err := e.Service.AuthenticateFTP(ctx, "alice1", "New-Secret-4242", localhost); err != nil {
			t.Errorf("new password does not log in: %v", err)
		}
		a = decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/password", nil).want(t, 200))
		if a.Password == "" {
			t.Fatalf("no generated password")
		}
		if _, err := e.Service.AuthenticateFTP(ctx, "alice1", a.Password, localhost); err != nil {
			t.Errorf("generated password does not log in: %v", err)
		}
		if _, err := e.Service.AuthenticateFTP(ctx, "alice1", "New-Secret-4242", localhost); err == nil {
			t.Errorf("old password still logs in")
		}
	})
	t.Run("SuspendUnsuspend", func(t *testing.T) {
		a := decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts/webftp/suspend", nil).want(t, 200))
		if a.Status != hosting.StatusSuspended || a.EffectiveStatus != hosting.StatusSuspended {
			t.Errorf("%s/%s", a.Status, a.EffectiveStatus)
		}
		l := decodeAs[list[accountJSON]](t, e.do(t, e.alice, "GET", "/api/v1/accounts?status=suspended", nil).want(t, 200))
		if got := logins(l.Items); got != "webftp" {
			t.Errorf("status=suspended: %s", got)
		}
		a = decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts/webftp/unsuspend", nil).want(t, 200))
		if a.Status != hosting.StatusActive {
			t.Errorf("%s", a.Status)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		e.do(t, e.alice, "DELETE", "/api/v1/accounts/webftp", nil).want(t, 204)
		e.do(t, e.alice, "GET", "/api/v1/accounts/webftp", nil).wantError(t, 404, hosting.CodeNotFound, "")
	})

	if _, err := e.Service.UpdateSite(e.Admin(ctx), "bob.example", hosting.SiteUpdate{MaxFTPAccounts: ptr(2)}); err != nil {
		t.Fatal(err)
	}
	errs := []struct {
		name, method, path string
		body               any
		status             int
		code               hosting.Code
		field              string
	}{
		{"InvalidLogin", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "Web Master"}, 422, hosting.CodeInvalidLogin, "login"},
		{"ReservedLogin", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "anonymous"}, 422, hosting.CodeReservedLogin, "login"},
		{"LoginTaken", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "bob1"}, 409, hosting.CodeLoginTaken, ""},
		{"WeakPassword", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "password": "alllowercase"}, 422, hosting.CodeWeakPassword, "password"},
		{"InvalidHome", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "home": "/a\u0001b"}, 422, hosting.CodeInvalidHome, "home"},
		{"HomeOutsideSite", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "home": "/httpdocs/../../etc"}, 422, hosting.CodeHomeOutsideSite, "home"},
		{"HomeNotFound", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "home": "/httpdocs/missing"}, 422, hosting.CodeHomeNotFound, "home"},
		{"TopLevelDirForbidden", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "home": "/newtop", "create_missing": true}, 422, hosting.CodeTopLevelDirForbidden, "home"},
		{"LimitExceeded", "POST", "/api/v1/accounts", map[string]any{"site": "bob.example", "login": "bob3"}, 409, hosting.CodeLimitExceeded, ""},
		{"SiteNotFound", "POST", "/api/v1/accounts", map[string]any{"site": "none.example", "login": "new1"}, 404, hosting.CodeNotFound, "site"},
		{"SiteMissing", "POST", "/api/v1/accounts", map[string]any{"login": "new1"}, 400, hosting.CodeInvalidInput, "site"},
		{"BadQuota", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "quota_bytes": -5}, 400, hosting.CodeInvalidInput, "quota"},
		{"FractionalQuota", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "quota_bytes": 1.5}, 400, hosting.CodeInvalidInput, "quota_bytes"},
		{"BadExpiry", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "expires_at": "tomorrow"}, 400, hosting.CodeInvalidInput, "expires_at"},
		{"BadAllowedIPs", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "allowed_ips": []string{"nowhere"}}, 400, hosting.CodeInvalidInput, "allowed_ips"},
		{"UnknownField", "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "new1", "hme": "/"}, 400, hosting.CodeInvalidInput, "hme"},
		{"NotFound", "GET", "/api/v1/accounts/nobody", nil, 404, hosting.CodeNotFound, ""},
		{"UpdateNotFound", "PATCH", "/api/v1/accounts/nobody", map[string]any{"read": true}, 404, hosting.CodeNotFound, ""},
		{"UpdateHomeNotFound", "PATCH", "/api/v1/accounts/alice1", map[string]any{"home": "/private/none"}, 422, hosting.CodeHomeNotFound, "home"},
		{"UpdateRenameTaken", "PATCH", "/api/v1/accounts/alice1", map[string]any{"login": "bob1"}, 409, hosting.CodeLoginTaken, ""},
		{"UpdatePasswordField", "PATCH", "/api/v1/accounts/alice1", map[string]any{"password": "Kx9-Secret-77"}, 400, hosting.CodeInvalidInput, "password"},
		{"UpdateMainHome", "PATCH", "/api/v1/accounts/" + e.aliceMain, map[string]any{"home": "/httpdocs"}, 409, hosting.CodeMainAccount, "home"},
		{"PasswordWeak", "POST", "/api/v1/accounts/alice1/password", map[string]any{"password": "alice1alice1"}, 422, hosting.CodeWeakPassword, "password"},
		{"PasswordNotFound", "POST", "/api/v1/accounts/nobody/password", nil, 404, hosting.CodeNotFound, ""},
		{"SuspendNotFound", "POST", "/api/v1/accounts/nobody/suspend", nil, 404, hosting.CodeNotFound, ""},
		{"DeleteMain", "DELETE", "/api/v1/accounts/" + e.aliceMain, nil, 409, hosting.CodeMainAccount, ""},
		{"DeleteNotFound", "DELETE", "/api/v1/accounts/nobody", nil, 404, hosting.CodeNotFound, ""},
		{"ListUnknownSite", "GET", "/api/v1/accounts?site=none.example", nil, 404, hosting.CodeNotFound, "site"},
		{"ListUnknownCustomer", "GET", "/api/v1/accounts?customer=nobody", nil, 404, hosting.CodeNotFound, "customer"},
		{"ListBadStatus", "GET", "/api/v1/accounts?status=on", nil, 400, hosting.CodeInvalidInput, "status"},
		{"ListBadMain", "GET", "/api/v1/accounts?main=maybe", nil, 400, hosting.CodeInvalidInput, "main"},
		{"ListBadLimit", "GET", "/api/v1/accounts?limit=0", nil, 400, hosting.CodeInvalidInput, "limit"},
		{"ListBadCursor", "GET", "/api/v1/accounts?cursor=-1", nil, 400, hosting.CodeInvalidInput, "cursor"},
		{"ListRepeatedParam", "GET", "/api/v1/accounts?site=a.example&site=b.example", nil, 400, hosting.CodeInvalidInput, "site"},
		{"ListUnknownParam", "GET", "/api/v1/accounts?sites=alice.example", nil, 400, hosting.CodeInvalidInput, "sites"},
	}
	for _, tc := range errs {
		t.Run("Err"+tc.name, func(t *testing.T) {
			e.do(t, e.admin, tc.method, tc.path, tc.body).wantError(t, tc.status, tc.code, tc.field)
		})
	}
	t.Run("ErrChangedNothing", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(root, "newtop")); !os.IsNotExist(err) {
			t.Errorf("refused create left a folder: %v", err)
		}
		if _, err := e.Service.Account(e.Admin(ctx), "new1"); hosting.ErrorCode(err) != hosting.CodeNotFound {
			t.Errorf("refused create left account new1: %v", err)
		}
		if _, err := e.Service.AuthenticateFTP(ctx, "alice1", "alice1alice1", localhost); err == nil {
			t.Errorf("refused password was set")
		}
	})
}

// TestAPI_AccountsResetPolicy: with on_missing_home = reset, an edit to a
// missing folder resets the home to the site root instead of failing.
func TestAPI_AccountsResetPolicy(t *testing.T) {
	e := newTestEnvWith(t, func(p *hosting.Policy) { p.OnMissingHome = hosting.MissingHomeReset }, nil)
	a := decodeAs[accountJSON](t, e.do(t, e.alice, "PATCH", "/api/v1/accounts/alice1", map[string]any{"home": "/httpdocs/missing"}).want(t, 200))
	if a.Home != "/" {
		t.Errorf("home=%q, want /", a.Home)
	}
}

func logins(as []accountJSON) string {
	var s []string
	for _, a := range as {
		s = append(s, a.Login)
	}
	return strings.Join(s, ",")
}

func ptr[T any](v T) *T { return &v }

// TestAPI_AccountSFTP: with SFTP on, the account object carries where
// SFTP clients connect and the host key fingerprints beside the FTP
// connection, which stays as it was; with SFTP off there is no "sftp".
func TestAPI_AccountSFTP(t *testing.T) {
	fps := []string{"ssh-ed25519 SHA256:7r1nVxYzqg0aHbq4m3Gf0xq6C3sWZVn0gK9T4cQpR2E", "ssh-rsa SHA256:Qm9vZ0F1dGhlbnRpY2F0ZWRLZXlGaW5nZXJwcmludDE"}
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want *sftpConnectionJSON
	}{
		{"On", func(o *Options) { o.SFTPPort, o.SFTPHostKeys = 2222, fps },
			&sftpConnectionJSON{Protocol: "sftp", Host: "ftp.example.net", Port: 2222, HostKeyFingerprints: fps}},
		{"NoHostKeys", func(o *Options) { o.SFTPPort = 22 },
			&sftpConnectionJSON{Protocol: "sftp", Host: "ftp.example.net", Port: 22, HostKeyFingerprints: []string{}}},
		{"Off", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, tc.edit)
			show := e.do(t, e.alice, "GET", "/api/v1/accounts/alice1", nil).want(t, http.StatusOK)
			lst := decodeAs[list[accountJSON]](t, e.do(t, e.admin, "GET", "/api/v1/accounts?site=alice.example", nil).want(t, http.StatusOK))
			created := decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts", map[string]any{"site": "alice.example"}).want(t, http.StatusCreated))
			for _, a := range append([]accountJSON{decodeAs[accountJSON](t, show), created}, lst.Items...) {
				if a.Connection == nil || *a.Connection != (connectionJSON{Protocol: "ftp", Host: "ftp.example.net", Port: 21}) {
					t.Errorf("%s: connection=%+v, want FTP at ftp.example.net:21", a.Login, a.Connection)
				}
				if !reflect.DeepEqual(a.SFTP, tc.want) {
					t.Errorf("%s: sftp=%+v, want %+v", a.Login, a.SFTP, tc.want)
				}
			}
			if got := strings.Contains(string(show.body), `"sftp"`); got != (tc.want != nil) {
				t.Errorf(`body has "sftp": %v, want %v: %s`, got, tc.want != nil, show.body)
			}
		})
	}
}
