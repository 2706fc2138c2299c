package hestia_test

import (
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"ftpanel/internal/hestia"
	"ftpanel/internal/hosting/hostingtest"
)

// TestGuard_LegacyCredentials: HestiaCP's legacy user/password go through
// the service's guard (issue 17 item 1).
func TestGuard_LegacyCredentials(t *testing.T) {
	h := &hostingtest.CountingHasher{}
	env := hostingtest.NewWith(t, hostingtest.Config{Hasher: h})
	if _, _, err := env.Service.CreateAdmin(env.Admin(context.Background()), "admin", adminPassword); err != nil {
		t.Fatal(err)
	}
	env.MustCustomer(t, "dave")
	srv := httptest.NewServer(hestia.NewHandler(env.Service, hestia.Options{}))
	t.Cleanup(srv.Close)
	n := hostingtest.CheckGuard(t, hostingtest.GuardCase{Service: env.Service, Evaluations: h.Verifies,
		Try: func(t testing.TB, right bool) bool {
			pw := "not the password"
			if right {
				pw = adminPassword
			}
			v := url.Values{"user": {"admin"}, "password": {pw}, "returncode": {"yes"}, "cmd": {"v-list-web-domains"}, "arg1": {"dave"}}
			resp, err := srv.Client().PostForm(srv.URL+"/api/", v)
			if err != nil {
				t.Error(err)
				return false
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			switch {
			case resp.StatusCode == 200 && string(b) == "0":
				return true
			case resp.StatusCode == 401 && string(b) == "9": // E_PASSWORD, as HestiaCP answers
				return false
			}
			t.Errorf("status %d body %q", resp.StatusCode, b)
			return false
		}})
	t.Logf("burst of 50 wrong passwords: %d verifications", n)
}
