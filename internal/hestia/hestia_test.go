package hestia_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ftpanel/internal/hestia"
	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// post sends a form with the given credentials, returncode and command
// and returns status and body.
func (f *fixture) post(t *testing.T, cred url.Values, rc, cmd string, args ...string) (int, string) {
	t.Helper()
	v := url.Values{}
	for k, vs := range cred {
		v[k] = vs
	}
	v.Set("returncode", rc)
	v.Set("cmd", cmd)
	for i, a := range args {
		v.Set("arg"+strconv.Itoa(i+1), a)
	}
	resp, err := f.srv.Client().PostForm(f.srv.URL+"/api/", v)
	if err != nil {
		t.Fatalf("POST %s: %v", cmd, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return resp.StatusCode, string(b)
}

func (f *fixture) hash(owner string) url.Values {
	k := f.keys[owner]
	return url.Values{"hash": {k.Token.Key + ":" + k.Secret}}
}

func loopback() netip.Addr { return netip.MustParseAddr("127.0.0.1") }

// TestWHMCSFlow follows what a WHMCS module for HestiaCP does: add with
// returncode=yes and the access hash, read the domain's JSON, change the
// password, move the account to a missing folder, delete it.
func TestWHMCSFlow(t *testing.T) {
	f := newFixture(t, hestia.Options{})
	svc, ctx := f.env.Service, context.Background()
	root := filepath.Join(f.env.SitesDir, "example.com")
	admin := f.hash("admin")
	expectZero := func(step string, status int, body string) {
		t.Helper()
		if status != http.StatusOK || body != "0" {
			t.Fatalf("%s: status %d body %q, want 200 %q", step, status, body, "0")
		}
	}

	status, body := f.post(t, admin, "yes", "v-add-web-domain-ftp", "alice", "example.com", "whmcs", ftpPassword, "public/up")
	expectZero("add", status, body)
	if fi, err := os.Stat(filepath.Join(root, "public", "up")); err != nil || !fi.IsDir() {
		t.Errorf("add did not create the folder: %v", err)
	}
	if _, err := svc.AuthenticateFTP(ctx, "alice_whmcs", ftpPassword, loopback()); err != nil {
		t.Errorf("FTP login after add: %v", err)
	}

	status, body = f.post(t, admin, "no", "v-list-web-domain", "alice", "example.com", "json")
	var list map[string]map[string]string
	if err := json.Unmarshal([]byte(body), &list); status != http.StatusOK || err != nil {
		t.Fatalf("list: status %d, decode %v; body %q", status, err, body)
	}
	d := list["example.com"]
	if got, want := d["FTP_USER"], "alice_whmcs"; got != want {
		t.Errorf("FTP_USER=%q, want %q", got, want)
	}
	if got, want := d["FTP_PATH"], "/public/up"; got != want {
		t.Errorf("FTP_PATH=%q, want %q", got, want)
	}

	const newPassword = "An0ther-Secret"
	status, body = f.post(t, admin, "yes", "v-change-web-domain-ftp-password", "alice", "example.com", "alice_whmcs", newPassword)
	expectZero("change password", status, body)
	if _, err := svc.AuthenticateFTP(ctx, "alice_whmcs", ftpPassword, loopback()); hosting.ErrorCode(err) != hosting.CodeUnauthorized {
		t.Errorf("old password after change: err=%v, want unauthorized", err)
	}
	if _, err := svc.AuthenticateFTP(ctx, "alice_whmcs", newPassword, loopback()); err != nil {
		t.Errorf("new password after change: %v", err)
	}

	status, body = f.post(t, admin, "yes", "v-change-web-domain-ftp-path", "alice", "example.com", "alice_whmcs", "/private/new/dir")
	expectZero("change path", status, body)
	if fi, err := os.Stat(filepath.Join(root, "private", "new", "dir")); err != nil || !fi.IsDir() {
		t.Errorf("change path did not create the folder: %v", err)
	}
	a, err := svc.Account(f.env.Admin(ctx), "alice_whmcs")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if got, want := a.Home, "/private/new/dir"; got != want {
		t.Errorf("Home=%q, want %q", got, want)
	}

	status, body = f.post(t, admin, "yes", "v-delete-web-domain-ftp", "alice", "example.com", "alice_whmcs")
	expectZero("delete", status, body)
	if _, err := svc.Account(f.env.Admin(ctx), "alice_whmcs"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("Account after delete: err=%v, want not_found", err)
	}
	if _, err := os.Stat(filepath.Join(root, "private", "new", "dir")); err != nil {
		t.Errorf("delete removed the files: %v", err)
	}
	_, body = f.post(t, admin, "no", "v-list-web-domain", "alice", "example.com", "json")
	if err := json.Unmarshal([]byte(body), &list); err != nil || list["example.com"]["FTP_USER"] != "" {
		t.Errorf("FTP_USER after delete=%q (decode %v), want empty", list["example.com"]["FTP_USER"], err)
	}
}

// TestListingKeys checks the keys and their order: 28 for one domain,
// 21 per domain for the list, all strings.
func TestListingKeys(t *testing.T) {
	one := []string{"IP", "IP6", "DOCUMENT_ROOT", "U_DISK", "U_BANDWIDTH", "TPL", "ALIAS", "STATS", "STATS_USER",
		"SSL", "SSL_FORCE", "SSL_HSTS", "SSL_HOME", "LETSENCRYPT", "FTP_USER", "FTP_PATH", "AUTH_USER", "BACKEND",
		"PROXY", "PROXY_EXT", "FASTCGI_CACHE", "FASTCGI_DURATION", "REDIRECT", "REDIRECT_CODE", "CUSTOM_DOCROOT",
		"SUSPENDED", "TIME", "DATE"}
	many := []string{"IP", "IP6", "DOCUMENT_ROOT", "U_DISK", "U_BANDWIDTH", "TPL", "ALIAS", "STATS", "STATS_USER",
		"SSL", "SSL_HOME", "LETSENCRYPT", "FTP_USER", "FTP_PATH", "AUTH_USER", "BACKEND", "PROXY", "PROXY_EXT",
		"SUSPENDED", "TIME", "DATE"}
	f := newFixture(t, hestia.Options{})
	tests := []struct {
		name    string
		args    []string
		domains []string
		keys    []string
	}{
		{"v-list-web-domain", []string{"alice", "example.com", "json"}, []string{"example.com"}, one},
		{"v-list-web-domains", []string{"alice", "json"}, []string{"example.com", "shop.example.org", "paused.example.com"}, many},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.post(t, f.hash("admin"), "no", tc.name, tc.args...)
			if status != http.StatusOK {
				t.Fatalf("status %d, body %q", status, body)
			}
			dec := json.NewDecoder(strings.NewReader(body))
			tok := func() json.Token {
				t.Helper()
				tk, err := dec.Token()
				if err != nil {
					t.Fatalf("token: %v", err)
				}
				return tk
			}
			if got := tok(); got != json.Delim('{') {
				t.Fatalf("first token %v, want {", got)
			}
			for _, domain := range tc.domains {
				if got := tok(); got != domain {
					t.Fatalf("domain %v, want %q", got, domain)
				}
				if got := tok(); got != json.Delim('{') {
					t.Fatalf("token %v, want {", got)
				}
				for _, k := range tc.keys {
					if got := tok(); got != k {
						t.Fatalf("%s: key %v, want %q", domain, got, k)
					}
					if v, ok := tok().(string); !ok {
						t.Fatalf("%s: %s is %T, want a string", domain, k, v)
					}
				}
				if got := tok(); got != json.Delim('}') {
					t.Fatalf("%s: token %v after %d keys, want }", domain, got, len(tc.keys))
				}
			}
			if got := tok(); got != json.Delim('}') {
				t.Fatalf("token %v, want the final }", got)
			}
		})
	}
}

// TestCustomerKeyIsolation: a customer's key acts only on itself and its
// own sites, and its refused requests change nothing.
func TestCustomerKeyIsolation(t *testing.T) {
	f := newFixture(t, hestia.Options{})
	ctx := context.Background()
	if status, body := f.post(t, f.hash("bob"), "yes", "v-add-web-domain-ftp", "bob", "bob.example.net", "b1", ftpPassword); body != "0" {
		t.Fatalf("bob adds b1: %d %q", status, body)
	}
	alice := f.hash("alice")
	tests := []struct {
		name       string
		cmd        string
		args       []string
		wantStatus int
		wantBody   string
	}{
		{"OtherUserList", "v-list-web-domains", []string{"bob", "json"}, 401, "10"},
		{"OtherUserPassword", "v-change-web-domain-ftp-password", []string{"bob", "bob.example.net", "bob_b1", "Ch4nged-Secret"}, 401, "10"},
		{"OtherUserDelete", "v-delete-web-domain-ftp", []string{"bob", "bob.example.net", "bob_b1"}, 401, "10"},
		{"OwnUserOtherSitePassword", "v-change-web-domain-ftp-password", []string{"alice", "bob.example.net", "bob_b1", "Ch4nged-Secret"}, 200, "3"},
		{"OwnUserOtherSitePath", "v-change-web-domain-ftp-path", []string{"alice", "bob.example.net", "bob_b1", "x"}, 200, "3"},
		{"OwnUserOtherSiteDelete", "v-delete-web-domain-ftp", []string{"alice", "bob.example.net", "bob_b1"}, 200, "3"},
		{"OwnSiteOtherAccount", "v-delete-web-domain-ftp", []string{"alice", "example.com", "bob_b1"}, 200, "3"},
		{"OwnUserOtherSiteAdd", "v-add-web-domain-ftp", []string{"alice", "bob.example.net", "evil", ftpPassword}, 200, "3"},
		{"OwnUserOtherSiteList", "v-list-web-domain", []string{"alice", "bob.example.net", "json"}, 200, "3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.post(t, alice, "yes", tc.cmd, tc.args...)
			if status != tc.wantStatus || body != tc.wantBody {
				t.Errorf("status %d body %q, want %d %q", status, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
	a, err := f.env.Service.AuthenticateFTP(ctx, "bob_b1", ftpPassword, loopback())
	if err != nil {
		t.Fatalf("bob_b1 after alice's attempts: %v", err)
	}
	if a.Home != "/" {
		t.Errorf("bob_b1 home=%q, want /", a.Home)
	}
	if _, err := f.env.Service.Account(f.env.Admin(ctx), "alice_evil"); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("alice_evil: err=%v, want not_found", err)
	}
	_, body := f.post(t, alice, "no", "v-list-web-domains", "alice", "json")
	if strings.Contains(body, "bob") {
		t.Errorf("alice's listing mentions bob: %s", body)
	}
}

// TestAllowedIPs applies API_ALLOWED_IP semantics to a client on 127.0.0.1.
func TestAllowedIPs(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		legacy  bool
		want    string // body with returncode=yes: 0 = ran, 10 = refused
	}{
		{"EmptyAllowsAll", nil, false, "0"},
		{"OtherAddress", []string{"10.0.0.1"}, false, "10"},
		{"OtherAddressLegacy", []string{"10.0.0.1"}, true, "10"},
		{"SameAddress", []string{"10.0.0.1", "127.0.0.1"}, false, "0"},
		{"CIDR", []string{"127.0.0.0/8"}, true, "0"},
		{"ZeroAllowsKeys", []string{"10.0.0.1", "0.0.0.0"}, false, "0"},
		{"ZeroNotLegacy", []string{"10.0.0.1", "0.0.0.0"}, true, "10"},
		{"AllowAll", []string{"allow-all"}, true, "0"},
	}
	base := newFixture(t, hestia.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := base.withOptions(t, hestia.Options{AllowedIPs: tc.allowed})
			cred := f.hash("admin")
			if tc.legacy {
				cred = url.Values{"user": {"admin"}, "password": {adminPassword}}
			}
			_, body := f.post(t, cred, "yes", "v-list-web-domains", "dave", "json")
			if body != tc.want {
				t.Errorf("body %q, want %q", body, tc.want)
			}
		})
	}
}

// TestAdminLogin: with Options.AdminLogin only that administrator may use
// the legacy user/password form.
func TestAdminLogin(t *testing.T) {
	f := newFixture(t, hestia.Options{AdminLogin: "hestiaadmin"})
	if _, _, err := f.env.Service.CreateAdmin(f.env.Admin(context.Background()), "hestiaadmin", adminPassword); err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	tests := []struct {
		user       string
		wantStatus int
		wantBody   string
	}{
		{"admin", 401, "10"},
		{"hestiaadmin", 200, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			status, body := f.post(t, url.Values{"user": {tc.user}, "password": {adminPassword}}, "yes", "v-list-web-domains", "dave")
			if status != tc.wantStatus || body != tc.wantBody {
				t.Errorf("status %d body %q, want %d %q", status, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}

// TestMultipartForm: PHP reads multipart/form-data into $_POST too.
func TestMultipartForm(t *testing.T) {
	f := newFixture(t, hestia.Options{})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	k := f.keys["admin"]
	for _, kv := range [][2]string{{"hash", k.Token.Key + ":" + k.Secret}, {"returncode", "yes"},
		{"cmd", "v-add-web-domain-ftp"}, {"arg1", "alice"}, {"arg2", "example.com"}, {"arg3", "multi"}, {"arg4", ftpPassword}} {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := f.srv.Client().Post(f.srv.URL+"/api/", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "0" {
		t.Fatalf("status %d body %q, want 200 %q", resp.StatusCode, b, "0")
	}
	if _, err := f.env.Service.Account(f.env.Admin(context.Background()), "alice_multi"); err != nil {
		t.Errorf("alice_multi not created: %v", err)
	}
}

// TestBodyTooLarge: a body over the limit counts as no data.
func TestBodyTooLarge(t *testing.T) {
	srv := httptest.NewServer(hestia.NewHandler(hostingtest.New(t).Service, hestia.Options{}))
	defer srv.Close()
	body := `{"hash": "x", "pad": "` + strings.Repeat("a", 2<<20) + `"}`
	resp, err := srv.Client().Post(srv.URL+"/api/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusMethodNotAllowed; got != want {
		t.Errorf("status %d, want %d", got, want)
	}
}

// TestPHPFormPasswords: form values that Go's url.ParseQuery refuses (a
// raw ";", an invalid "%" escape) reach the command literally, as PHP
// passes them: the account is created and logs in with that password.
func TestPHPFormPasswords(t *testing.T) {
	f := newFixture(t, hestia.Options{})
	k := f.keys["alice"]
	tests := []struct{ name, rawPassword, password string }{
		{"semi", "Good;pass-123", "Good;pass-123"},
		{"pct", "Zz%zz-pass-77%4", "Zz%zz-pass-77%4"},
		{"mixed", "A%3Bb;c%2-9x", "A;b;c%2-9x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := "hash=" + k.Token.Key + ":" + k.Secret + "&returncode=yes&cmd=v-add-web-domain-ftp" +
				"&arg1=alice&arg2=shop.example.org&arg3=" + tc.name + "&arg4=" + tc.rawPassword
			resp, err := f.srv.Client().Post(f.srv.URL+"/api/", "application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "0" {
				t.Fatalf("answer %q, want 0", b)
			}
			ctx := context.Background()
			if _, err := f.env.Service.AuthenticateFTP(ctx, "alice_"+tc.name, tc.password, loopback()); err != nil {
				t.Errorf("login with %q: %v", tc.password, err)
			}
		})
	}
}
