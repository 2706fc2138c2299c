package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/postgres"
	"ftpanel/internal/store/postgres/pgtest"
	"ftpanel/internal/store/storetest"
)

// MustOpen opens a store on dsn, closed at the end of tb.
func MustOpen(tb testing.TB, dsn string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	tdb := pgtest.NewDatabase(t)
	storetest.Run(t, func(tb testing.TB) hosting.Store { return MustOpen(tb, tdb.NewSchema(tb, 4)) })
}

// TestOpen_MigrateRace starts several stores at once on one empty schema,
// as nodes starting together do: each opens without error and every
// migration is recorded once.
func TestOpen_MigrateRace(t *testing.T) {
	tdb := pgtest.NewDatabase(t)
	dsn := tdb.NewSchema(t, 2)
	const n = 8
	dbs := make([]*postgres.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			dbs[i], errs[i] = postgres.Open(context.Background(), dsn)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
			continue
		}
		dbs[i].Close()
	}
	db := MustOpen(t, dsn)
	list, err := db.Migrations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].Version != 1 || list[0].Name != "0001_init.sql" {
		t.Fatalf("Migrations=%+v, want 0001_init.sql first", list)
	}
	for _, m := range list {
		if m.AppliedAt == nil {
			t.Errorf("migration %s not applied", m.Name)
		}
	}
	var rows int
	conn, err := pgx.Connect(context.Background(), tdb.SchemaDSN(t, "s1", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM schema_migrations").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(list) {
		t.Errorf("schema_migrations has %d rows, want %d", rows, len(list))
	}
}

func TestOpen_ErrInvalidDSN(t *testing.T) {
	// Parsed before any connection: runs without a server too.
	_, err := postgres.Open(context.Background(), "postgres://user:s3cret@127.0.0.1:5432/db?sslmode=bogus")
	if err == nil {
		t.Fatal("Open accepted an invalid DSN")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q shows the password", err)
	}
}

// TestTwoNodes runs what DESIGN §6 needs of a shared database through two
// stores on one schema, as two nodes have: the limits hold under creates
// through both, a kill requested on one is seen by the other, bans are
// shared.
func TestTwoNodes(t *testing.T) {
	ctx := context.Background()
	tdb := pgtest.NewDatabase(t)
	dsn := tdb.NewSchema(t, 4)
	a, b := MustOpen(t, dsn), MustOpen(t, dsn)
	nodes := []*postgres.DB{a, b}
	t0 := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

	c := &hosting.Customer{Login: "bob", PasswordHash: "h", Status: hosting.StatusActive, MaxFTPAccounts: 7}
	if err := a.CreateCustomer(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	var sites []*hosting.Site
	for i := range 2 {
		s := &hosting.Site{Name: fmt.Sprintf("s%d.example", i), CustomerID: c.ID, Root: "/srv/s", UID: -1, GID: -1,
			Status: hosting.StatusActive, MaxFTPAccounts: 5, DefaultQuota: -1}
		m := &hosting.Account{Login: fmt.Sprintf("main%d", i), Home: "/", PasswordHash: "h", QuotaBytes: -1,
			Status: hosting.StatusActive}
		if err := nodes[i].CreateSite(ctx, s, m, nil); err != nil {
			t.Fatal(err)
		}
		sites = append(sites, s)
	}

	t.Run("Limits", func(t *testing.T) {
		const creates = 40
		errs := make([]error, creates)
		var wg sync.WaitGroup
		for i := range creates {
			wg.Add(1)
			go func() {
				defer wg.Done()
				acc := &hosting.Account{Login: fmt.Sprintf("web%d", i), SiteID: sites[i%2].ID, Home: "/",
					PasswordHash: "h", QuotaBytes: -1, Read: true, Write: true, Status: hosting.StatusActive}
				errs[i] = nodes[(i/2)%2].CreateAccount(ctx, acc, nil)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch hosting.ErrorCode(err) {
			case "":
				ok++
			case hosting.CodeLimitExceeded:
			default:
				t.Errorf("CreateAccount: %v", err)
			}
		}
		if ok != 7 {
			t.Errorf("%d creates succeeded, want 7 (the customer's limit)", ok)
		}
		for i, s := range sites {
			n, err := b.CountAccounts(ctx, hosting.AccountFilter{SiteID: &s.ID, Main: new(false)})
			if err != nil {
				t.Fatal(err)
			}
			if n > 5 {
				t.Errorf("site %d has %d additional accounts, over its limit 5", i, n)
			}
		}
		n, err := a.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &c.ID, Main: new(false)})
		if err != nil {
			t.Fatal(err)
		}
		if n != 7 {
			t.Errorf("customer has %d additional accounts, want 7", n)
		}
	})

	t.Run("SessionKill", func(t *testing.T) {
		s := &hosting.Session{ID: "nb-1", Node: "nb", Protocol: "ftp", AccountID: 1, Login: "main1",
			SiteID: sites[1].ID, SiteName: sites[1].Name, CustomerID: c.ID, RemoteAddr: "192.0.2.1:4000",
			StartedAt: t0, UpdatedAt: t0}
		if err := b.PutSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		list, err := a.Sessions(ctx, hosting.SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Node != "nb" {
			t.Fatalf("node A lists %+v, want node B's session", list)
		}
		if n, err := a.RequestSessionKill(ctx, hosting.SessionFilter{ID: &s.ID}); err != nil || n != 1 {
			t.Fatalf("RequestSessionKill = %d, %v; want 1", n, err)
		}
		node := "nb"
		list, err = b.Sessions(ctx, hosting.SessionFilter{Node: &node, KillRequested: new(true)})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != "nb-1" {
			t.Errorf("node B's sessions to close = %+v, want nb-1", list)
		}
	})

	t.Run("Bans", func(t *testing.T) {
		if err := a.PutBan(ctx, &hosting.Ban{Addr: "198.51.100.1", Until: t0.Add(time.Hour), Strikes: 1, Node: "na"}); err != nil {
			t.Fatal(err)
		}
		got, err := b.BanByAddr(ctx, "198.51.100.1")
		if err != nil {
			t.Fatalf("node B BanByAddr: %v", err)
		}
		if got.Node != "na" || !got.Until.Equal(t0.Add(time.Hour)) {
			t.Errorf("node B sees %+v", got)
		}
	})
}

// TestTimes checks that times keep microseconds, come back in UTC and
// equal what the caller holds after the write.
func TestTimes(t *testing.T) {
	ctx := context.Background()
	tdb := pgtest.NewDatabase(t)
	db := MustOpen(t, tdb.NewSchema(t, 2))
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3600))
	c := &hosting.Customer{Login: "bob", PasswordHash: "h", Status: hosting.StatusActive, MaxFTPAccounts: -1,
		CreatedAt: at, UpdatedAt: at}
	if err := db.CreateCustomer(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2025, 3, 4, 4, 6, 7, 123456000, time.UTC)
	if c.CreatedAt != want {
		t.Errorf("CreatedAt after create = %v, want %v", c.CreatedAt, want)
	}
	got, err := db.CustomerByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CreatedAt != want || got.UpdatedAt != want {
		t.Errorf("CreatedAt=%v UpdatedAt=%v, want %v (UTC, microseconds)", got.CreatedAt, got.UpdatedAt, want)
	}
}

// BenchmarkStore: FTPANEL_TEST_POSTGRES_DSN=... go test -run '^$' -bench Store -benchtime 20000x ./internal/store/postgres/
func BenchmarkStore(b *testing.B) {
	tdb := pgtest.NewDatabase(b)
	dsn := tdb.NewSchema(b, 8)
	stop := autovacuum(b, tdb.SchemaDSN(b, "s1", 0))
	defer stop()
	storetest.Bench(b, func(tb testing.TB) hosting.Store { return MustOpen(tb, dsn) })
}

// autovacuum stands in for PostgreSQL's autovacuum when the test server
// runs without it (autovacuum = off, as on some CI machines): a production
// server's autovacuum analyzes the tables and sets the visibility map soon
// after the preload's 100,000 inserts, so that counts read the index only.
// Until stop is called, it checks every second which tables of the schema
// pass autovacuum's default thresholds and runs VACUUM (ANALYZE) on them.
func autovacuum(tb testing.TB, dsn string) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	var on string
	if err := conn.QueryRow(ctx, "SHOW autovacuum").Scan(&on); err != nil {
		tb.Fatal(err)
	}
	if on == "on" {
		cancel()
		conn.Close(context.Background())
		return func() {}
	}
	tb.Logf("the server runs with autovacuum = off: the benchmark vacuums as autovacuum would")
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				vacuumDue(ctx, conn)
			}
		}
	}()
	return func() {
		cancel()
		<-done
		conn.Close(context.Background())
	}
}

// vacuumDue runs VACUUM (ANALYZE) on the tables of the current schema
// that autovacuum's default thresholds (autovacuum_vacuum_insert_threshold
// 1000 + 20%, autovacuum_vacuum_threshold 50 + 20%,
// autovacuum_analyze_threshold 50 + 10%) make due.
func vacuumDue(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
		WHERE s.schemaname = current_schema() AND (
			s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0) OR
			s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) OR
			s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0))`)
	if err != nil {
		return
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, t := range tables {
		conn.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize())
	}
}
