package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// lookupCounter is the real store, counting token lookups: each one is
// a check of a presented token.
type lookupCounter struct {
	hosting.Store
	n atomic.Int64
}

func (s *lookupCounter) TokenByKey(ctx context.Context, key string) (*hosting.Token, error) {
	s.n.Add(1)
	return s.Store.TokenByKey(ctx, key)
}

// TestGuard_Token: bearer tokens go through the service's guard (issue 17
// item 1), counted per address and per token key.
func TestGuard_Token(t *testing.T) {
	var st *lookupCounter
	env := hostingtest.NewWith(t, hostingtest.Config{WrapStore: func(s hosting.Store) hosting.Store {
		st = &lookupCounter{Store: s}
		return st
	}})
	tok, err := env.Service.CreateToken(env.Admin(context.Background()), hosting.TokenCreate{Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(env.Service, Options{}))
	t.Cleanup(srv.Close)
	wrong := tok.Secret[:strings.LastIndexByte(tok.Secret, '_')+1] + strings.Repeat("x", apiSecretLenForTest)
	n := hostingtest.CheckGuard(t, hostingtest.GuardCase{Service: env.Service, Evaluations: st.n.Load,
		Try: func(t testing.TB, right bool) bool {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/accounts", nil)
			if err != nil {
				t.Error(err)
				return false
			}
			bearer := wrong
			if right {
				bearer = tok.Secret
			}
			req.Header.Set("Authorization", "Bearer "+bearer)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return false
			}
			resp.Body.Close()
			switch resp.StatusCode {
			case 200:
				return true
			case 401, 429:
				return false
			}
			t.Errorf("status %d", resp.StatusCode)
			return false
		}})
	t.Logf("burst of 50 wrong tokens: %d token checks", n)
}

// apiSecretLenForTest is the length of a token's secret part.
const apiSecretLenForTest = 32
