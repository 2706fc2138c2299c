package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

// benchHash is an md5-crypt hash ("Bench-Pass-1"): imported hashes skip
// the slow password hashing, so seeding thousands of accounts is quick.
const benchHash = "$1$abcdefgh$3AEs5zJe4lhuW1BsiFPJW."

// seedAccounts adds n accounts a00000… to example.com, with growing usage
// and last logins for every third one.
func seedAccounts(tb testing.TB, p *panel, n int) {
	tb.Helper()
	site, err := p.env.Service.Site(p.ctx(), "example.com")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		a, _, err := p.env.Service.CreateAccount(p.ctx(), hosting.AccountCreate{SiteID: site.ID, Login: fmt.Sprintf("a%05d", i), PasswordHash: benchHash})
		if err != nil {
			tb.Fatalf("seed %d: %v", i, err)
		}
		if err := p.env.Service.RecordUsage(p.ctx(), a.ID, int64(i)<<10); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestAccountList_SortAndPages(t *testing.T) {
	p := newPanel(t, web.Options{})
	seedAccounts(t, p, 120)
	alice := p.loggedIn(t, "alice")

	r := alice.get("/accounts")
	wantStatus(t, "page 1", r, http.StatusOK)
	wantBody(t, "page 1", r, "Accounts 1–50 of 122", "page 1 of 3", `href="/accounts?page=2"`, `data-account="a00000"`, `data-account="a00049"`)
	wantNoBody(t, "page 1", r, `data-account="a00050"`, `rel="prev"`)
	if n := strings.Count(r.body, `<article class="card account-card`); n != 50 {
		t.Errorf("page 1 has %d cards, want 50", n)
	}
	r = alice.get("/accounts?page=3")
	wantBody(t, "page 3", r, "Accounts 101–122 of 122", `data-account="web1"`, `rel="prev"`)
	wantNoBody(t, "page 3", r, `rel="next"`)
	if n := strings.Count(r.body, `<article class="card account-card`); n != 22 {
		t.Errorf("page 3 has %d cards, want 22", n)
	}

	r = alice.get("/accounts?sort=usage")
	if i, j := strings.Index(r.body, `data-account="a00119"`), strings.Index(r.body, `data-account="a00118"`); i < 0 || j < 0 || i > j {
		t.Errorf("sort=usage: a00119 at %d, a00118 at %d; want the largest first", i, j)
	}
	wantBody(t, "sort=usage", r, `<option value="usage" selected>`, `href="/accounts?page=2&amp;sort=usage"`)

	// Last login: the account that logged in last comes first.
	if _, err := p.env.Service.AuthenticateFTP(t.Context(), "a00077", "Bench-Pass-1", loopback); err != nil {
		t.Fatal(err)
	}
	r = alice.get("/accounts?sort=last_login")
	if i := strings.Index(r.body, `data-account="`); i < 0 || !strings.HasPrefix(r.body[i:], `data-account="a00077"`) {
		t.Errorf("sort=last_login: first card is not a00077")
	}
	wantBody(t, "last login on the card", r, "Last login", time.Now().UTC().Format("2006-01-02"), "from <code>"+loopback.String()+"</code>")

	r = alice.get("/accounts?" + url.Values{"q": {"a0011"}}.Encode())
	if n := strings.Count(r.body, `<article class="card account-card`); n != 10 {
		t.Errorf("search a0011: %d cards, want 10", n)
	}
	r = alice.get("/accounts?page=99&sort=bogus")
	wantStatus(t, "page 99", r, http.StatusOK)
	wantBody(t, "page 99", r, "page 3 of 3", `<option value="login" selected>`)
}

// BenchmarkAccountList renders the accounts page (first page of 50,
// sorted by usage) for a customer with 10,000 accounts in the store, over
// loopback HTTP; the target is under 50 ms server time.
func BenchmarkAccountList(b *testing.B) {
	p := newPanel(b, web.Options{})
	seedAccounts(b, p, 10_000)
	alice := p.loggedIn(b, "alice")
	for _, path := range []string{"/accounts?sort=usage", "/accounts?sort=login&page=150", "/accounts?q=a0999"} {
		b.Run(strings.NewReplacer("/", "", "?", "_", "&", "_", "=", "-").Replace(path), func(b *testing.B) {
			for b.Loop() {
				r := alice.get(path)
				if r.status != http.StatusOK || !strings.Contains(r.body, "account-card") {
					b.Fatalf("GET %s: %d", path, r.status)
				}
			}
		})
	}
}
