package node_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"ftpanel/internal/cli"
	"ftpanel/internal/config"
	"ftpanel/internal/hosting"
	"ftpanel/internal/node"
	"ftpanel/internal/password"
	"ftpanel/internal/store/postgres/pgtest"
)

// Cluster tests: several nodes on one PostgreSQL database (issue 8). They
// run against the server named by FTPANEL_TEST_POSTGRES_DSN, in a fresh
// database, and skip when it is unset.

// within is how fast a change made through one node must reach a session
// held by another (DESIGN §6, issue 8).
const within = 2 * time.Second

// startNode starts a node with its own data folder on the store dsn (""
// = SQLite in data, which is then a temp folder when ""), the sites in
// sites, and loopback :0 ports. The returned stop is idempotent and also
// runs at cleanup.
func startNode(tb testing.TB, id, dsn, data, sites string, tweak func(*config.Config)) (*node.Node, func()) {
	tb.Helper()
	cfg := config.Default()
	cfg.Data = data
	if cfg.Data == "" {
		cfg.Data = tb.TempDir()
	}
	cfg.Node = id
	cfg.Store.DSN = dsn
	cfg.Policy.SitesDir = sites
	cfg.FTP.Listen = "127.0.0.1:0"
	cfg.SFTP.Listen = ""
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.FTP.FailDelay = config.Duration{Duration: time.Millisecond}
	cfg.FTP.GraceTimeout = config.Duration{Duration: time.Second}
	if tweak != nil {
		tweak(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	n, err := node.Start(context.Background(), cfg, nil)
	if err != nil {
		tb.Fatalf("Start node %s: %v", id, err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			if err := n.Close(); err != nil {
				tb.Errorf("Close node %s: %v", id, err)
			}
		})
	}
	tb.Cleanup(stop)
	return n, stop
}

func admin() context.Context {
	return hosting.WithActor(context.Background(), hosting.SystemActor(hosting.ViaCLI, "cluster-test"))
}

// login connects to addr over FTP and logs in.
func login(addr, user, pw string) (*ftp.ServerConn, error) {
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		return nil, err
	}
	if err := c.Login(user, pw); err != nil {
		c.Quit()
		return nil, err
	}
	return c, nil
}

func mustLogin(t *testing.T, addr, user, pw string) *ftp.ServerConn {
	t.Helper()
	c, err := login(addr, user, pw)
	if err != nil {
		t.Fatalf("FTP login %s at %s: %v", user, addr, err)
	}
	t.Cleanup(func() { c.Quit() })
	return c
}

// waitSession waits until svc lists the session of account (written by
// its node at its next sync) and returns it.
func waitSession(t *testing.T, svc *hosting.Service, accountID int64) *hosting.Session {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		list, err := svc.Sessions(admin(), hosting.SessionFilter{AccountID: &accountID})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 {
			return list[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("sessions of account %d = %d, want 1 within 5s", accountID, len(list))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitClosed fails t unless the server closes c within d from now.
func waitClosed(t *testing.T, c *ftp.ServerConn, d time.Duration) {
	t.Helper()
	start := time.Now()
	for c.NoOp() == nil {
		if time.Since(start) > d {
			t.Fatalf("session still open %v after the change, want closed within %v", time.Since(start).Round(time.Millisecond), d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("session closed after %v", time.Since(start).Round(time.Millisecond))
}

func mustAccount(t *testing.T, svc *hosting.Service, site, name, pw string) *hosting.Account {
	t.Helper()
	a, _, err := svc.CreateAccount(admin(), hosting.AccountCreate{Site: site, Login: name, Password: pw})
	if err != nil {
		t.Fatalf("CreateAccount %s: %v", name, err)
	}
	return a
}

// TestCluster runs two nodes, "a" and "b", on one database and one sites
// folder, and checks that what one node does reaches the other.
func TestCluster(t *testing.T) {
	dsn := pgtest.NewDatabase(t).NewSchema(t, 10)
	sites := t.TempDir()
	defender := func(c *config.Config) {
		c.Defender.MaxFailures = 3
		c.Defender.Window = config.Duration{Duration: time.Minute}
		c.Defender.BanTime = config.Duration{Duration: time.Minute}
	}
	nodeA, _ := startNode(t, "a", dsn, "", sites, defender)
	nodeB, _ := startNode(t, "b", dsn, "", sites, defender)
	svcA, svcB := nodeA.Service(), nodeB.Service()
	ctx := admin()
	const pw = "Clu-ster-pw-42"
	if _, _, err := svcA.CreateCustomer(ctx, hosting.CustomerCreate{Login: "alice", Password: pw}); err != nil {
		t.Fatal(err)
	}
	// Created through B, used through A: one store.
	if _, _, _, err := svcB.CreateSite(ctx, hosting.SiteCreate{Name: "cluster.example", Customer: "alice"}); err != nil {
		t.Fatal(err)
	}

	t.Run("KillThroughOtherNode", func(t *testing.T) {
		acct := mustAccount(t, svcA, "cluster.example", "kill1", pw)
		c := mustLogin(t, nodeB.FTPAddr(), acct.Login, pw)
		s := waitSession(t, svcA, acct.ID)
		if s.Node != "b" || s.Login != acct.Login {
			t.Fatalf("session listed by node a = node %q login %q, want node %q login %q", s.Node, s.Login, "b", acct.Login)
		}
		if err := svcA.KillSession(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		waitClosed(t, c, within)
	})

	t.Run("SuspendThroughOtherNode", func(t *testing.T) {
		acct := mustAccount(t, svcA, "cluster.example", "susp1", pw)
		c := mustLogin(t, nodeB.FTPAddr(), acct.Login, pw)
		waitSession(t, svcA, acct.ID)
		if _, err := svcA.SetAccountStatus(ctx, acct.Login, hosting.StatusSuspended); err != nil {
			t.Fatal(err)
		}
		waitClosed(t, c, within)
		if c, err := login(nodeB.FTPAddr(), acct.Login, pw); err == nil {
			c.Quit()
			t.Fatal("a suspended account logged in on node b")
		}
	})

	t.Run("ConcurrentCreatesHoldLimit", func(t *testing.T) {
		const limit, perNode = 10, 20
		site, _, _, err := svcA.CreateSite(ctx, hosting.SiteCreate{Name: "limit.example", Customer: "alice",
			MaxFTPAccounts: new(limit)})
		if err != nil {
			t.Fatal(err)
		}
		// The limit counts the accounts besides the main one.
		additional := hosting.AccountFilter{SiteID: &site.ID, Main: new(false)}
		before, err := svcA.CountAccounts(ctx, additional)
		if err != nil {
			t.Fatal(err)
		}
		// An imported hash with cheap parameters: the race is in the
		// store, and 40 default argon2id hashes at once only cost memory.
		hash, err := password.HashWith(pw, password.Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2*perNode)
		for i := range errs {
			svc := svcA
			if i%2 == 1 {
				svc = svcB
			}
			wg.Go(func() {
				_, _, errs[i] = svc.CreateAccount(ctx, hosting.AccountCreate{Site: site.Name,
					Login: fmt.Sprintf("lim%02d", i), PasswordHash: hash})
			})
		}
		wg.Wait()
		created := 0
		for i, err := range errs {
			switch hosting.ErrorCode(err) {
			case "":
				created++
			case hosting.CodeLimitExceeded:
			default:
				t.Errorf("create lim%02d: %v, want success or %s", i, err, hosting.CodeLimitExceeded)
			}
		}
		if want := limit - before; created != want {
			t.Errorf("created = %d, want %d (limit %d, %d before)", created, want, limit, before)
		}
		n, err := svcB.CountAccounts(ctx, additional)
		if err != nil {
			t.Fatal(err)
		}
		if n != limit {
			t.Errorf("additional accounts of the site = %d, want %d", n, limit)
		}
	})

	// Last: the ban covers 127.0.0.1, every client of this test.
	t.Run("BanSharedAcrossNodes", func(t *testing.T) {
		acct := mustAccount(t, svcA, "cluster.example", "ban1", pw)
		mustLogin(t, nodeB.FTPAddr(), acct.Login, pw).Quit() // not banned yet
		for i := range 3 {
			c, err := ftp.Dial(nodeA.FTPAddr(), ftp.DialWithTimeout(5*time.Second))
			if err != nil {
				t.Fatalf("dial node a before failure %d: %v", i+1, err)
			}
			if err := c.Login(acct.Login, "wrong-password"); err == nil {
				t.Fatal("login with a wrong password succeeded")
			}
			c.Quit()
		}
		if c, err := ftp.Dial(nodeA.FTPAddr(), ftp.DialWithTimeout(5*time.Second)); err == nil {
			c.Quit()
			t.Fatal("node a admits 127.0.0.1 after 3 failed logins, want it banned")
		}
		bans, err := svcB.Bans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(bans) != 1 || bans[0].Node != "a" {
			t.Fatalf("bans seen by node b = %+v, want one ban by node a", bans)
		}
		start := time.Now()
		for {
			c, err := login(nodeB.FTPAddr(), acct.Login, pw)
			if err != nil {
				t.Logf("node b refuses %v after the ban: %v", time.Since(start).Round(time.Millisecond), err)
				break
			}
			c.Quit()
			if time.Since(start) > within {
				t.Fatalf("node b still admits 127.0.0.1 %v after node a banned it", within)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// storeContent is everything a copy carries, read from one store.
type storeContent struct {
	Admins    []*hosting.Admin
	Customers []*hosting.Customer
	Sites     []*hosting.Site
	Accounts  []*hosting.Account
	Tokens    []*hosting.Token
	Audit     []*hosting.AuditEvent
	Bans      []*hosting.Ban
}

func (c *storeContent) rows() int {
	return len(c.Admins) + len(c.Customers) + len(c.Sites) + len(c.Accounts) + len(c.Tokens) + len(c.Audit) + len(c.Bans)
}

// readStore reads the content of the store cfg selects, with every time
// truncated to the microsecond (PostgreSQL's precision, which a copy
// through it keeps).
func readStore(t *testing.T, cfg config.Config) *storeContent {
	t.Helper()
	ctx := context.Background()
	st, err := node.OpenStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var c storeContent
	var errs [7]error
	c.Admins, errs[0] = st.Admins(ctx)
	c.Customers, errs[1] = st.Customers(ctx, hosting.CustomerFilter{})
	c.Sites, errs[2] = st.Sites(ctx, hosting.SiteFilter{})
	c.Accounts, errs[3] = st.Accounts(ctx, hosting.AccountFilter{})
	c.Tokens, errs[4] = st.Tokens(ctx, hosting.TokenFilter{})
	c.Audit, errs[5] = st.AuditEvents(ctx, hosting.AuditFilter{Limit: 1_000_000})
	c.Bans, errs[6] = st.Bans(ctx, time.Now())
	for _, err := range errs {
		if err != nil {
			t.Fatalf("read %s: %v", cfg.Data, err)
		}
	}
	truncateTimes(reflect.ValueOf(&c))
	return &c
}

// truncateTimes truncates every time.Time reachable from v to the
// microsecond.
func truncateTimes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			truncateTimes(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			truncateTimes(v.Index(i))
		}
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			if v.CanSet() {
				v.Set(reflect.ValueOf(t.Truncate(time.Microsecond).UTC()))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				truncateTimes(v.Field(i))
			}
		}
	}
}

// compareContent reports every table whose rows differ.
func compareContent(t *testing.T, name string, got, want *storeContent) {
	t.Helper()
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		table := gv.Type().Field(i).Name
		g, w := gv.Field(i), wv.Field(i)
		if g.Len() != w.Len() {
			t.Errorf("%s: %s has %d rows, want %d", name, table, g.Len(), w.Len())
			continue
		}
		for j := range g.Len() {
			if !reflect.DeepEqual(g.Index(j).Interface(), w.Index(j).Interface()) {
				t.Errorf("%s: %s row %d:\n got %+v\nwant %+v", name, table, j, g.Index(j).Elem().Interface(), w.Index(j).Elem().Interface())
			}
		}
	}
}

// runCLI runs `ftpanel args…` in-process and returns its --json output.
func runCLI(t *testing.T, out any, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), append([]string{"--json"}, args...), nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("ftpanel %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("ftpanel %s: stderr not empty: %s", strings.Join(args, " "), stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("ftpanel %s: decode %q: %v", strings.Join(args, " "), stdout.String(), err)
	}
}

// TestCluster_StoreCopyRoundTrip copies a SQLite store into PostgreSQL and
// back with `ftpanel store copy`, checks that nothing changed on the way,
// and logs in with the accounts on nodes over both copies.
func TestCluster_StoreCopyRoundTrip(t *testing.T) {
	db := pgtest.NewDatabase(t)
	sites := t.TempDir()
	srcData := t.TempDir()
	ctx := admin()

	// The source: a node on SQLite with some of everything.
	src, stop := startNode(t, "src", "", srcData, sites, nil)
	svc := src.Service()
	const pw = "Round-trip-pw-7"
	for _, in := range []hosting.CustomerCreate{
		{Login: "alice", Name: "Alice Example", Email: "alice@example.com", Password: pw, MaxFTPAccounts: new(8)},
		{Login: "bob", Name: "Bob Ü. Example", Password: pw},
	} {
		if _, _, err := svc.CreateCustomer(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	passwords := map[string]string{} // login → password, of the accounts that must log in
	for _, in := range []hosting.SiteCreate{
		{Name: "one.example", Customer: "alice", MainLogin: "onemain", MainPassword: pw},
		{Name: "bücher.example", Customer: "alice", IP: "192.0.2.10", DefaultQuota: new(int64(1 << 20)),
			MaxFTPAccounts: new(3), MainLogin: "twomain", MainPassword: pw},
		{Name: "three.example", Customer: "bob", MainLogin: "threemain", MainPassword: pw},
	} {
		_, main, _, err := svc.CreateSite(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		passwords[main.Login] = pw
	}
	expires := time.Now().Add(240 * time.Hour)
	for _, in := range []hosting.AccountCreate{
		{Site: "one.example", Login: "uploads", Password: pw, Home: "/httpdocs/uploads", CreateMissing: true,
			QuotaBytes: new(int64(5 << 20)), Read: new(false)},
		{Site: "one.example", Login: "limited", Password: pw, ExpiresAt: &expires,
			AllowedIPs: []string{"127.0.0.1", "10.0.0.0/8"}},
		{Site: "bücher.example", Login: "books", Password: pw, Home: "/private"},
	} {
		a, _, err := svc.CreateAccount(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		passwords[a.Login] = pw
	}
	if _, _, err := svc.CreateAccount(ctx, hosting.AccountCreate{Site: "three.example", Login: "off", Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetAccountStatus(ctx, "off", hosting.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	for _, in := range []hosting.TokenCreate{
		{Admin: true, Description: "billing"},
		{Customer: "alice"},
		{Kind: hosting.TokenHestia, Admin: true},
	} {
		if _, err := svc.CreateToken(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Ban(ctx, &hosting.Ban{Addr: "192.0.2.99", Until: time.Now().Add(time.Hour), Strikes: 2,
		Reason: "too many failed logins", Node: "src"}); err != nil {
		t.Fatal(err)
	}
	c := mustLogin(t, src.FTPAddr(), "uploads", pw) // a last_login_at, and used bytes
	if err := c.Stor("a.txt", strings.NewReader("round trip")); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	stop() // a copy is taken with the nodes stopped

	srcCfg := config.Default()
	srcCfg.Data = srcData
	want := readStore(t, srcCfg)
	if len(want.Accounts) != 7 || len(want.Tokens) != 3 || len(want.Bans) != 1 || len(want.Admins) != 1 {
		t.Fatalf("source: %d accounts, %d tokens, %d bans, %d admins; want 7, 3, 1, 1",
			len(want.Accounts), len(want.Tokens), len(want.Bans), len(want.Admins))
	}

	type copied struct {
		Rows   int `json:"rows"`
		Tables []struct {
			Table string `json:"table"`
			Rows  int    `json:"rows"`
		} `json:"tables"`
	}
	pgDSN := db.NewSchema(t, 4)
	var out copied
	runCLI(t, &out, "store", "copy", "--from", srcData, "--to", pgDSN)
	if out.Rows != want.rows() {
		t.Errorf("copy to PostgreSQL: rows = %d, want %d (%+v)", out.Rows, want.rows(), out.Tables)
	}
	pgCfg := config.Default()
	pgCfg.Data, pgCfg.Store.DSN = t.TempDir(), pgDSN
	compareContent(t, "PostgreSQL copy", readStore(t, pgCfg), want)

	backData := filepath.Join(t.TempDir(), "back") // a new data folder
	runCLI(t, &out, "store", "copy", "--from", pgDSN, "--to", backData)
	if out.Rows != want.rows() {
		t.Errorf("copy back to SQLite: rows = %d, want %d (%+v)", out.Rows, want.rows(), out.Tables)
	}
	backCfg := config.Default()
	backCfg.Data = backData
	compareContent(t, "SQLite copy of the PostgreSQL copy", readStore(t, backCfg), want)

	// The accounts log in on nodes over both copies; the suspended one
	// stays refused.
	for _, tc := range []struct{ name, dsn, data string }{
		{"PostgreSQL", pgDSN, ""},
		{"SQLite", "", backData},
	} {
		t.Run("FTPOn"+tc.name, func(t *testing.T) {
			n, _ := startNode(t, "copy", tc.dsn, tc.data, sites, nil)
			for user, secret := range passwords {
				c := mustLogin(t, n.FTPAddr(), user, secret)
				if err := c.NoOp(); err != nil {
					t.Errorf("NOOP as %s: %v", user, err)
				}
				c.Quit()
			}
			if c, err := login(n.FTPAddr(), "off", pw); err == nil {
				c.Quit()
				t.Error("the suspended account logged in after the copy")
			}
			r, err := mustLogin(t, n.FTPAddr(), "onemain", pw).Retr("/httpdocs/uploads/a.txt")
			if err != nil {
				t.Fatalf("RETR the file uploads stored: %v", err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			if string(b) != "round trip" {
				t.Errorf("a.txt = %q, want %q", b, "round trip")
			}
		})
	}
}
