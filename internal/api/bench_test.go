package api

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

const benchAccounts = 100_000

// BenchmarkAPI_Accounts measures GET /api/v1/accounts?limit=50 and
// GET /api/v1/accounts/{login} over HTTP on loopback, with 100k accounts
// in a real SQLite store, and reports the p50 and p99 latency of single
// requests next to the mean (ns/op):
//
//	go test ./internal/api -run '^$' -bench API_Accounts -benchtime 3000x
func BenchmarkAPI_Accounts(b *testing.B) {
	env := hostingtest.New(b)
	ctx := context.Background()
	env.MustCustomer(b, "alice")
	env.MustSite(b, "alice", "alice.example")
	tmpl := env.MustAccount(b, "alice.example", "template", "")
	seedAccounts(b, filepath.Join(env.Dir, "ftpanel.db"), tmpl.ID, benchAccounts)
	if n, err := env.Service.CountAccounts(env.Admin(ctx), hosting.AccountFilter{}); err != nil || n < benchAccounts {
		b.Fatalf("seeded %d accounts (%v), want %d", n, err, benchAccounts)
	}
	admin, err := env.Service.CreateToken(env.Admin(ctx), hosting.TokenCreate{Admin: true})
	if err != nil {
		b.Fatal(err)
	}
	cust, err := env.Service.CreateToken(env.Admin(ctx), hosting.TokenCreate{Customer: "alice"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(NewHandler(env.Service, Options{}))
	defer srv.Close()
	client := srv.Client()

	get := func(b *testing.B, token, path string) time.Duration {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		d := time.Since(start)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("GET %s: %d %v: %s", path, res.StatusCode, err, body)
		}
		return d
	}
	run := func(name, token string, path func(i int) string) {
		b.Run(name, func(b *testing.B) {
			get(b, token, path(0)) // warm the connection
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				lat = append(lat, get(b, token, path(i)))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
	// Pages spread over the whole table, as clients paging through it do.
	page := func(i int) string {
		if i%10 == 0 {
			return "/api/v1/accounts?limit=50"
		}
		return fmt.Sprintf("/api/v1/accounts?limit=50&cursor=%d", (i*7919)%benchAccounts)
	}
	run("ListAsAdmin", admin.Secret, page)
	run("ListAsCustomer", cust.Secret, page)
	run("ShowAsAdmin", admin.Secret, func(i int) string {
		return fmt.Sprintf("/api/v1/accounts/u%06d", (i*7919)%benchAccounts+1)
	})
	run("ShowAsCustomer", cust.Secret, func(i int) string {
		return fmt.Sprintf("/api/v1/accounts/u%06d", (i*7919)%benchAccounts+1)
	})
}

// seedAccounts copies the account with id n times (logins u000001...) in
// one SQL statement: through the service each would cost a password hash
// and a synced transaction. The copy takes every column but id and login
// from the template, so it follows the schema as it changes.
func seedAccounts(tb testing.TB, path string, id int64, n int) {
	tb.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM pragma_table_info('ftp_accounts')")
	if err != nil {
		tb.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			tb.Fatal(err)
		}
		if c != "id" && c != "login" {
			cols = append(cols, c)
		}
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	list := strings.Join(cols, ", ")
	q := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO ftp_accounts (login, ` + list + `)
		SELECT printf('u%06d', i), ` + list + ` FROM n, (SELECT * FROM ftp_accounts WHERE id = ?)`
	if _, err := db.Exec(q, n, id); err != nil {
		tb.Fatalf("seed accounts: %v", err)
	}
}
