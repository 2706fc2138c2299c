package plesk_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"ftpanel/internal/hosting/hostingtest"
	"ftpanel/internal/plesk"
)

// TestGuard_HTTPAuth: panel credentials in HTTP_AUTH_LOGIN and
// HTTP_AUTH_PASSWD go through the service's guard (issue 17 item 1).
func TestGuard_HTTPAuth(t *testing.T) {
	h := &hostingtest.CountingHasher{}
	env := hostingtest.NewWith(t, hostingtest.Config{Hasher: h})
	if _, _, err := env.Service.CreateAdmin(env.Admin(context.Background()), "admin", hostingtest.Password); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(plesk.NewHandler(env.Service, plesk.Options{}))
	t.Cleanup(srv.Close)
	body := []byte(`<packet><ftp-user><get><filter/></get></ftp-user></packet>`)
	n := hostingtest.CheckGuard(t, hostingtest.GuardCase{Service: env.Service, Evaluations: h.Verifies,
		Try: func(t testing.TB, right bool) bool {
			req, err := http.NewRequest(http.MethodPost, srv.URL+plesk.Path, bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return false
			}
			req.Header.Set("Content-Type", "text/xml")
			req.Header.Set("HTTP_AUTH_LOGIN", "admin")
			req.Header.Set("HTTP_AUTH_PASSWD", "not the password")
			if right {
				req.Header.Set("HTTP_AUTH_PASSWD", hostingtest.Password)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return false
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("status %d, read: %v", resp.StatusCode, err)
				return false
			}
			if bytes.Contains(b, []byte("<system>")) {
				if !bytes.Contains(b, []byte("<errcode>1001</errcode>")) {
					t.Errorf("refusal is not Plesk's authentication error 1001: %s", b)
				}
				return false
			}
			return true
		}})
	t.Logf("burst of 50 wrong passwords: %d verifications", n)
}
