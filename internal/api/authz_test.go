package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
)

// TestAuthorizationMatrix runs every route as no token, a revoked token,
// customer B (bob), customer A (alice, who owns the objects) and an
// administrator. Bob never sees or changes alice's objects: where he
// names one he gets exactly the answer for an object that does not
// exist, and his lists never mention her.
func TestAuthorizationMatrix(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := e.Admin(context.Background())
	revoked, _ := e.mustToken(hosting.TokenCreate{Customer: "alice"})
	if err := e.Service.DeleteToken(ctx, tokenKey(revoked)); err != nil {
		t.Fatal(err)
	}
	e.mustSession(t, "n1-alice", "alice1")
	e.mustSession(t, "n1-bob", "bob1")
	if err := e.Service.Ban(context.Background(), &hosting.Ban{Addr: "203.0.113.1", Until: time.Now().Add(time.Hour), Reason: "test"}); err != nil {
		t.Fatal(err)
	}

	// Objects made fresh for each principal, for routes that consume them;
	// u is unique per case and principal.
	freshCustomer := func(t *testing.T, u string) map[string]string {
		return map[string]string{"x": e.MustCustomer(t, "c"+u).Login}
	}
	freshSite := func(t *testing.T, u string) map[string]string {
		s, _ := e.MustSite(t, "alice", "s"+u+".example")
		return map[string]string{"x": s.Name}
	}
	freshAccount := func(t *testing.T, u string) map[string]string {
		return map[string]string{"x": e.MustAccount(t, "alice.example", "f"+u, "").Login}
	}
	freshKey := func(t *testing.T, _ string) map[string]string {
		k, err := e.Service.AddSSHKey(ctx, "alice1", testKeyLine(t))
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"x": strconv.FormatInt(k.ID, 10)}
	}
	newKey := func(t *testing.T, _ string) map[string]string { return map[string]string{"x": testKeyLine(t)} }
	freshSession := func(t *testing.T, u string) map[string]string {
		e.mustSession(t, "n1-"+u, "alice1")
		return map[string]string{"x": "n1-" + u}
	}
	bans := 0
	freshBan := func(t *testing.T, _ string) map[string]string {
		bans++
		addr := fmt.Sprintf("2001:db8::%x", bans)
		if err := e.Service.Ban(context.Background(), &hosting.Ban{Addr: addr, Until: time.Now().Add(time.Hour), Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		return map[string]string{"x": addr}
	}
	named := func(prefix string) func(*testing.T, string) map[string]string {
		return func(_ *testing.T, u string) map[string]string { return map[string]string{"x": prefix + u} }
	}

	const forbidden, notFound = http.StatusForbidden, http.StatusNotFound
	cases := []struct {
		pattern string
		path    string // {x} is replaced by the setup's object
		body    func(x string) any
		setup   func(t *testing.T, u string) map[string]string
		admin   int
		alice   int
		bob     int
		// ghost, when set, is a path naming an object that does not exist:
		// bob's answer must be the same as for it.
		ghost string
	}{
		{"GET /api/v1/openapi.json", "/api/v1/openapi.json", nil, nil, 200, 200, 200, ""},

		{"GET /api/v1/customers", "/api/v1/customers", nil, nil, 200, 200, 200, ""},
		{"POST /api/v1/customers", "/api/v1/customers", func(x string) any { return map[string]any{"login": x} }, named("n"), 201, forbidden, forbidden, ""},
		{"GET /api/v1/customers/{login}", "/api/v1/customers/alice", nil, nil, 200, 200, notFound, "/api/v1/customers/ghost"},
		{"PATCH /api/v1/customers/{login}", "/api/v1/customers/alice", func(string) any { return map[string]any{"name": "Alice"} }, nil, 200, forbidden, forbidden, ""},
		{"DELETE /api/v1/customers/{login}", "/api/v1/customers/{x}", nil, freshCustomer, 204, forbidden, forbidden, ""},
		{"POST /api/v1/customers/{login}/suspend", "/api/v1/customers/{x}/suspend", nil, freshCustomer, 200, forbidden, forbidden, ""},
		{"POST /api/v1/customers/{login}/unsuspend", "/api/v1/customers/alice/unsuspend", nil, nil, 200, forbidden, forbidden, ""},

		{"GET /api/v1/sites", "/api/v1/sites", nil, nil, 200, 200, 200, ""},
		{"POST /api/v1/sites", "/api/v1/sites", func(x string) any { return map[string]any{"name": x + ".example", "customer": "alice"} }, named("n"), 201, forbidden, forbidden, ""},
		{"GET /api/v1/sites/{name}", "/api/v1/sites/alice.example", nil, nil, 200, 200, notFound, "/api/v1/sites/ghost.example"},
		{"PATCH /api/v1/sites/{name}", "/api/v1/sites/alice.example", func(string) any { return map[string]any{"ip": "192.0.2.1"} }, nil, 200, forbidden, forbidden, ""},
		{"DELETE /api/v1/sites/{name}", "/api/v1/sites/{x}", nil, freshSite, 204, forbidden, forbidden, ""},
		{"POST /api/v1/sites/{name}/suspend", "/api/v1/sites/{x}/suspend", nil, freshSite, 200, forbidden, forbidden, ""},
		{"POST /api/v1/sites/{name}/unsuspend", "/api/v1/sites/alice.example/unsuspend", nil, nil, 200, forbidden, forbidden, ""},

		{"GET /api/v1/accounts", "/api/v1/accounts", nil, nil, 200, 200, 200, ""},
		{"POST /api/v1/accounts", "/api/v1/accounts", func(x string) any { return map[string]any{"site": "alice.example", "login": x} }, named("n"), 201, 201, notFound, ""},
		{"GET /api/v1/accounts/{login}", "/api/v1/accounts/alice1", nil, nil, 200, 200, notFound, "/api/v1/accounts/ghost"},
		{"PATCH /api/v1/accounts/{login}", "/api/v1/accounts/alice1", func(string) any { return map[string]any{"quota_bytes": 1000} }, nil, 200, 200, notFound, "/api/v1/accounts/ghost"},
		{"DELETE /api/v1/accounts/{login}", "/api/v1/accounts/{x}", nil, freshAccount, 204, 204, notFound, "/api/v1/accounts/ghost"},
		{"POST /api/v1/accounts/{login}/password", "/api/v1/accounts/alice1/password", nil, nil, 200, 200, notFound, "/api/v1/accounts/ghost/password"},
		{"POST /api/v1/accounts/{login}/suspend", "/api/v1/accounts/alice1/suspend", nil, nil, 200, 200, notFound, "/api/v1/accounts/ghost/suspend"},
		{"POST /api/v1/accounts/{login}/unsuspend", "/api/v1/accounts/alice1/unsuspend", nil, nil, 200, 200, notFound, "/api/v1/accounts/ghost/unsuspend"},

		{"GET /api/v1/accounts/{login}/keys", "/api/v1/accounts/alice1/keys", nil, nil, 200, 200, notFound, "/api/v1/accounts/ghost/keys"},
		{"POST /api/v1/accounts/{login}/keys", "/api/v1/accounts/alice1/keys", func(x string) any { return map[string]any{"public_key": x} }, newKey, 201, 201, notFound, ""},
		{"DELETE /api/v1/accounts/{login}/keys/{key}", "/api/v1/accounts/alice1/keys/{x}", nil, freshKey, 204, 204, notFound, "/api/v1/accounts/ghost/keys/1"},

		{"GET /api/v1/sessions", "/api/v1/sessions", nil, nil, 200, 200, 200, ""},
		{"DELETE /api/v1/sessions/{id}", "/api/v1/sessions/{x}", nil, freshSession, 204, 204, notFound, "/api/v1/sessions/n1-ghost"},
		{"GET /api/v1/bans", "/api/v1/bans", nil, nil, 200, forbidden, forbidden, ""},
		{"DELETE /api/v1/bans/{addr}", "/api/v1/bans/{x}", nil, freshBan, 204, forbidden, forbidden, ""},
		{"GET /api/v1/audit", "/api/v1/audit", nil, nil, 200, 200, 200, ""},
	}

	covered := map[string]bool{}
	for i, tc := range cases {
		covered[tc.pattern] = true
		method, _, _ := strings.Cut(tc.pattern, " ")
		t.Run(tc.pattern, func(t *testing.T) {
			if req, _ := http.NewRequest(method, tc.path, nil); req != nil {
				if _, p := e.api.mux.Handler(req); p != tc.pattern {
					t.Fatalf("path %s matches %q, not the case's route", tc.path, p)
				}
			}
			public := tc.pattern == "GET /api/v1/openapi.json"
			for _, p := range []struct {
				who, token string
				want       int
			}{
				{"none", "", http.StatusUnauthorized},
				{"revoked", revoked, http.StatusUnauthorized},
				{"bob", e.bob, tc.bob},
				{"alice", e.alice, tc.alice},
				{"admin", e.admin, tc.admin},
			} {
				want := p.want
				if public {
					want = http.StatusOK
				}
				path := tc.path
				u := fmt.Sprintf("%d%s", i, p.who)
				x := ""
				if tc.setup != nil {
					x = tc.setup(t, u)["x"]
					path = strings.ReplaceAll(path, "{x}", x)
				}
				var body any
				if tc.body != nil {
					body = tc.body(x)
				}
				r := e.do(t, p.token, method, path, body)
				if r.status != want {
					t.Errorf("%s: status=%d, want %d; body: %s", p.who, r.status, want, r.body)
				}
				if p.who != "bob" {
					continue
				}
				if r.status == http.StatusOK && strings.Contains(string(r.body), "alice") && !public {
					t.Errorf("bob's answer mentions alice: %s", r.body)
				}
				if tc.ghost != "" {
					g := e.do(t, p.token, method, tc.ghost, body)
					name := strings.TrimPrefix(path, "/api/v1/")
					ghost := strings.TrimPrefix(tc.ghost, "/api/v1/")
					name, ghost = strings.Split(name, "/")[1], strings.Split(ghost, "/")[1]
					if g.status != r.status || strings.ReplaceAll(string(g.body), ghost, name) != string(r.body) {
						t.Errorf("bob tells alice's %s from a missing one:\n%d %s\n%d %s", name, r.status, r.body, g.status, g.body)
					}
				}
			}
		})
	}
	for _, rt := range (&handler{}).routes() {
		if !covered[rt.pattern] {
			t.Errorf("route %s is not in the matrix", rt.pattern)
		}
	}
	// Bob changed nothing: no audit event is his.
	evs, err := e.Service.AuditEvents(ctx, hosting.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Actor == "bob" {
			t.Errorf("bob changed something: %+v", ev)
		}
	}
}
