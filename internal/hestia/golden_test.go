package hestia_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"ftpanel/internal/hestia"
	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.resp from the answers")

// Passwords of the fixture.
const (
	adminPassword = "Adm1n-Pass-42"
	ftpPassword   = "Sup3r-Secret-9"
)

// fixture is a real Service over SQLite with the golden cases' objects,
// served by the handler on 127.0.0.1.
type fixture struct {
	env   *hostingtest.Env
	srv   *httptest.Server
	keys  map[string]*hosting.NewToken // admin, alice, bob, carol
	subst [][2]string                  // placeholder, value
}

// newFixture creates:
//   - customers alice (sites example.com with IP 192.0.2.10,
//     shop.example.org, paused.example.com: suspended, holding alice_old),
//     bob (bob.example.net, at most 1 additional account), carol (suspended,
//     carol.example.com) and dave (no site);
//   - the panel admin "admin" (adminPassword);
//   - HestiaCP access keys for the admin, alice, bob and carol.
func newFixture(t *testing.T, o hestia.Options) *fixture {
	t.Helper()
	env := hostingtest.New(t)
	svc := env.Service
	ctx := env.Admin(context.Background())
	for _, c := range []string{"alice", "bob", "carol", "dave"} {
		env.MustCustomer(t, c)
	}
	site := func(name, customer, main, ip string) {
		t.Helper()
		if _, _, _, err := svc.CreateSite(ctx, hosting.SiteCreate{Name: name, Customer: customer, IP: ip,
			MainLogin: main, MainPassword: hostingtest.Password}); err != nil {
			t.Fatalf("CreateSite(%q): %v", name, err)
		}
	}
	site("example.com", "alice", "alicemain", "192.0.2.10")
	site("shop.example.org", "alice", "aliceshop", "")
	site("paused.example.com", "alice", "alicepaused", "")
	site("bob.example.net", "bob", "bobmain", "192.0.2.20")
	site("carol.example.com", "carol", "carolmain", "")
	if _, _, err := svc.CreateAccount(ctx, hosting.AccountCreate{Site: "paused.example.com", Login: "old",
		Password: ftpPassword, Compat: hosting.CompatHestia}); err != nil {
		t.Fatalf("CreateAccount(alice_old): %v", err)
	}
	one := 1
	if _, err := svc.UpdateSite(ctx, "bob.example.net", hosting.SiteUpdate{MaxFTPAccounts: &one}); err != nil {
		t.Fatalf("UpdateSite: %v", err)
	}
	if _, _, err := svc.CreateAdmin(ctx, "admin", adminPassword); err != nil {
		t.Fatalf("CreateAdmin: %v", err)
	}
	f := &fixture{env: env, keys: map[string]*hosting.NewToken{}}
	for _, owner := range []string{"admin", "alice", "bob", "carol"} {
		in := hosting.TokenCreate{Kind: hosting.TokenHestia, Admin: owner == "admin"}
		if owner != "admin" {
			in.Customer = owner
		}
		k, err := svc.CreateToken(ctx, in)
		if err != nil {
			t.Fatalf("CreateToken(%s): %v", owner, err)
		}
		f.keys[owner] = k
		up := strings.ToUpper(owner)
		f.subst = append(f.subst, [2]string{"{{" + up + "_KEY}}", k.Token.Key}, [2]string{"{{" + up + "_SECRET}}", k.Secret})
	}
	if _, err := svc.SetCustomerStatus(ctx, "carol", hosting.StatusSuspended); err != nil {
		t.Fatalf("suspend carol: %v", err)
	}
	if _, err := svc.SetSiteStatus(ctx, "paused.example.com", hosting.StatusSuspended); err != nil {
		t.Fatalf("suspend site: %v", err)
	}
	f.subst = append(f.subst, [2]string{"{{SITES}}", env.SitesDir}, [2]string{"{{DATA}}", env.Dir},
		[2]string{"{{ADMIN_PASSWORD}}", adminPassword}, [2]string{"{{FTP_PASSWORD}}", ftpPassword})
	// Longest values first, so that {{SITES}} wins over {{DATA}}.
	sort.Slice(f.subst, func(i, j int) bool { return len(f.subst[i][1]) > len(f.subst[j][1]) })
	f.srv = httptest.NewServer(hestia.NewHandler(svc, o))
	t.Cleanup(f.srv.Close)
	return f
}

// withOptions returns the fixture served by another handler with o.
func (f *fixture) withOptions(t *testing.T, o hestia.Options) *fixture {
	t.Helper()
	g := *f
	g.srv = httptest.NewServer(hestia.NewHandler(f.env.Service, o))
	t.Cleanup(g.srv.Close)
	return &g
}

// expand puts the fixture's values into a request.
func (f *fixture) expand(s string) string {
	for _, p := range f.subst {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return s
}

var (
	timeRe = regexp.MustCompile(`\b\d\d:\d\d:\d\d\b`)
	dateRe = regexp.MustCompile(`\b\d{4}-\d\d-\d\d\b`)
)

// normalize puts placeholders back into an answer.
func (f *fixture) normalize(s string) string {
	for _, p := range f.subst {
		s = strings.ReplaceAll(s, p[1], p[0])
	}
	s = timeRe.ReplaceAllString(s, "{{TIME}}")
	return dateRe.ReplaceAllString(s, "{{DATE}}")
}

// do sends a request and returns its answer as a golden text: status,
// the Content-Type and Hestia-Exit-Code headers when present, a blank
// line, the body.
func (f *fixture) do(t *testing.T, method, path string, header http.Header, body string) string {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "HTTP %d\n", resp.StatusCode)
	for _, k := range []string{"Content-Type", "Hestia-Exit-Code"} {
		if v := resp.Header.Get(k); v != "" {
			fmt.Fprintf(&out, "%s: %s\n", k, v)
		}
	}
	out.WriteString("\n")
	out.Write(b)
	return out.String()
}

// readReq parses a .req file: "METHOD PATH", header lines, a blank line,
// the body (one final newline is not part of it).
func readReq(t *testing.T, file string) (method, path string, header http.Header, body string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(b), "\n\n")
	body = strings.TrimSuffix(body, "\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	header = http.Header{}
	for first := true; sc.Scan(); first = false {
		if first {
			var ok bool
			if method, path, ok = strings.Cut(sc.Text(), " "); !ok {
				t.Fatalf("%s: bad request line %q", file, sc.Text())
			}
			continue
		}
		k, v, ok := strings.Cut(sc.Text(), ": ")
		if !ok {
			t.Fatalf("%s: bad header %q", file, sc.Text())
		}
		header.Add(k, v)
	}
	return method, path, header, body
}

// TestGolden replays testdata/*.req in name order against one fixture (the
// cases form a story: later ones see what earlier ones did) and compares
// each answer with the .resp beside it. -update rewrites the .resp files.
func TestGolden(t *testing.T) {
	f := newFixture(t, hestia.Options{})
	reqs, err := filepath.Glob("testdata/*.req")
	if err != nil || len(reqs) == 0 {
		t.Fatalf("no golden requests: %v", err)
	}
	sort.Strings(reqs)
	for _, file := range reqs {
		name := strings.TrimSuffix(filepath.Base(file), ".req")
		t.Run(name, func(t *testing.T) {
			method, path, header, body := readReq(t, file)
			for k, vs := range header {
				for i := range vs {
					vs[i] = f.expand(vs[i])
				}
				header[k] = vs
			}
			got := f.normalize(f.do(t, method, f.expand(path), header, f.expand(body)))
			respFile := strings.TrimSuffix(file, ".req") + ".resp"
			if *update {
				if err := os.WriteFile(respFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(respFile)
			if err != nil {
				t.Fatalf("read %s: %v (run with -update to create it)", respFile, err)
			}
			if got != string(want) {
				t.Errorf("answer:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
