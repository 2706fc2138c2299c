package importer

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

// Hashes of known passwords, made with `openssl passwd -1/-5/-6 -salt …`
// and `mkpasswd -m yescrypt` on the development machine.
const (
	md5Hash    = "$1$saltsalt$qDDrZZpP21tlG7v.z1Bej/"                                                                 // openssl passwd -1 -salt saltsalt Md5-pass1
	sha512Hash = "$6$saltsalt$UAU.v83A3/zCJzQVoixlLFGsQa/R8x6QPu4R8MrDNo863kRMOL6UfAkbWfWm2E32X5ucTELl1V/lOH01285gV1" // openssl passwd -6 -salt saltsalt Sha512-pass1
)

func write(t *testing.T, name, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestParsePureFTPd(t *testing.T) {
	tests := []struct {
		name, line string
		want       func(r Record) string // "" = as expected
	}{
		{"chroot marker and every field", "bob:" + sha512Hash + ":1001:1002::/srv/www/a.example/./:51200:61440:20:30:3:1000:104857600:::10.0.0.0/8,192.168.1.5::900-1800",
			func(r Record) string {
				switch {
				case r.Err != nil:
					return r.Err.Error()
				case r.Login != "bob" || r.Hash != sha512Hash || r.Home != "/srv/www/a.example":
					return fmt.Sprintf("login/hash/home = %q %q %q", r.Login, r.Hash, r.Home)
				case *r.UID != 1001 || *r.GID != 1002:
					return "uid:gid"
				case r.QuotaBytes == nil || *r.QuotaBytes != 104857600:
					return "quota"
				case strings.Join(r.AllowedIPs, " ") != "10.0.0.0/8 192.168.1.5":
					return "allowed IPs " + strings.Join(r.AllowedIPs, " ")
				case len(r.Notes) != 7:
					return fmt.Sprintf("notes %q, want 7", r.Notes)
				}
				return ""
			}},
		{"no chroot, short line", "carol:" + md5Hash + ":1001:1001::/srv/www/a.example/up::::::::::::", func(r Record) string {
			if r.Err != nil || r.Home != "/srv/www/a.example/up" || r.QuotaBytes != nil || r.AllowedIPs != nil || r.Notes != nil {
				return fmt.Sprintf("%+v", r)
			}
			return ""
		}},
		{"dot-dot home", "eve:" + md5Hash + ":1:1::/srv/www/a.example/../../etc/./::::::::::::", codeIs(hosting.CodeHomeOutsideSite)},
		{"relative home", "eve:" + md5Hash + ":1:1::srv/x::::::::::::", codeIs(hosting.CodeInvalidHome)},
		{"too few fields", "eve:" + md5Hash + ":1:1", codeIs(hosting.CodeInvalidInput)},
		{"too many fields", "eve:" + md5Hash + ":1:1::/srv" + strings.Repeat(":", 20), codeIs(hosting.CodeInvalidInput)},
		{"bad uid", "eve:" + md5Hash + ":x:1::/srv::::::::::::", codeIs(hosting.CodeInvalidInput)},
		{"bad quota", "eve:" + md5Hash + ":1:1::/srv:::::::-5:::::", codeIs(hosting.CodeInvalidInput)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Record
			parsePureFTPd(tt.line, &r)
			if msg := tt.want(r); msg != "" {
				t.Errorf("%s: %s", tt.line, msg)
			}
		})
	}
}

func codeIs(c hosting.Code) func(r Record) string {
	return func(r Record) string {
		if got := hosting.ErrorCode(r.Err); got != c {
			return fmt.Sprintf("code %q (%v), want %q", got, r.Err, c)
		}
		return ""
	}
}

func TestParseFTPQuota(t *testing.T) {
	// As `ftpquota --show-records --type=limit` prints it (ProFTPD 1.3.8).
	text := `-------------------------------------------
  Name: dave
  Quota Type: User
  Per Session: False
  Limit Type: Hard
    Uploaded bytes:	104857600.00
    Downloaded bytes:	unlimited
    Transferred bytes:	unlimited
    Uploaded files:	unlimited
    Downloaded files:	unlimited
    Transferred files:	unlimited
-------------------------------------------
  Name: staff
  Quota Type: Group
    Uploaded bytes:	5.00
-------------------------------------------
  Name: erin
  Quota Type: User
    Uploaded bytes:	unlimited
-------------------------------------------
`
	dir := t.TempDir()
	q, err := parseFTPQuota(write(t, filepath.Join(dir, "q.txt"), text))
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 2 || q["dave"] != 104857600 || q["erin"] != -1 {
		t.Errorf("quotas = %v, want dave 104857600, erin -1 (group skipped)", q)
	}
}

func TestHestiaPairs(t *testing.T) {
	kv, err := hestiaPairs(`DOMAIN='a.example' IP='1.2.3.4' ALIAS='www.a.example' FTP_USER='alice_one:alice_two' FTP_PATH=':/up' TIME='10:01:02'`)
	if err != nil || kv["DOMAIN"] != "a.example" || kv["FTP_USER"] != "alice_one:alice_two" || kv["FTP_PATH"] != ":/up" || kv["TIME"] != "10:01:02" {
		t.Errorf("pairs = %v, %v", kv, err)
	}
	for _, bad := range []string{`DOMAIN='a`, `DOMAIN=a`, `='x'`} {
		if _, err := hestiaPairs(bad); err == nil {
			t.Errorf("hestiaPairs(%q) succeeded", bad)
		}
	}
}

func TestParseMapping(t *testing.T) {
	for _, bad := range []string{"", "/a", "a=/b", "/a=b", "/a/../b=/c", "/a=/b\x00"} {
		if _, err := ParseMapping(bad); hosting.ErrorCode(err) != hosting.CodeInvalidInput {
			t.Errorf("ParseMapping(%q) = %v, want invalid_input", bad, err)
		}
	}
	ms := []Mapping{{"/home", "/srv/h"}, {"/home/alice/web", "/web/alice"}}
	for in, want := range map[string]string{"/home/bob/x": "/srv/h/bob/x", "/home/alice/web/a.example": "/web/alice/a.example",
		"/homeless": "/homeless", "/home": "/srv/h"} {
		if got := mapPath(in, ms); got != want {
			t.Errorf("mapPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseQuota(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "500M": 500 << 20, "10G": 10 << 30, "2kb": 2048, "unlimited": -1, "-1": -1} {
		if got, err := parseQuota(in); err != nil || got != want {
			t.Errorf("parseQuota(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-2", "99999999999T", "1.5G"} {
		if _, err := parseQuota(bad); err == nil {
			t.Errorf("parseQuota(%q) succeeded", bad)
		}
	}
}

// fixture is a real service with customer alice, site a.example (root
// <sites>/a.example) with folders up/ and deep/er/, and customer bob with
// site b.example nested at <sites>/a.example/deep (a longer root).
type fixture struct {
	env   *hostingtest.Env
	ctx   context.Context
	rootA string
	rootB string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	env := hostingtest.New(t)
	ctx := env.Admin(context.Background())
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	a, _ := env.MustSite(t, "alice", "a.example")
	for _, d := range []string{"up", "deep/er"} {
		if err := os.MkdirAll(filepath.Join(a.Root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rootB := filepath.Join(a.Root, "deep")
	if _, _, _, err := env.Service.CreateSite(ctx, hosting.SiteCreate{Name: "b.example", Customer: "bob", Root: rootB, MainPassword: hostingtest.Password}); err != nil {
		t.Fatal(err)
	}
	return &fixture{env: env, ctx: ctx, rootA: a.Root, rootB: rootB}
}

// state is what an import may change: accounts, sites, customers, audit.
func (f *fixture) state(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	as, err := f.env.Service.Accounts(f.ctx, hosting.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		fmt.Fprintf(&b, "account %s %s %s %s %d %v %v %v\n", a.Login, a.SiteName, a.Home, a.PasswordHash, a.QuotaBytes, a.Read, a.Write, a.AllowedIPs)
	}
	ss, err := f.env.Service.Sites(f.ctx, hosting.SiteFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		fmt.Fprintf(&b, "site %s %s %s %d:%d\n", s.Name, s.CustomerLogin, s.Root, s.UID, s.GID)
	}
	cs, err := f.env.Service.Customers(f.ctx, hosting.CustomerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		fmt.Fprintf(&b, "customer %s\n", c.Login)
	}
	ev, err := f.env.Service.AuditEvents(f.ctx, hosting.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "audit %d\n", len(ev))
	return b.String()
}

func (f *fixture) run(t testing.TB, src Source, file string, po Options, o RunOptions) []Result {
	t.Helper()
	recs, err := Parse(src, file, po)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := Run(f.ctx, f.env.Service, recs, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

type want struct {
	line    int
	login   string
	outcome Outcome
	code    hosting.Code
	site    string
	home    string
}

func check(t *testing.T, got []Result, wants []want) {
	t.Helper()
	var acc []Result
	for _, r := range got {
		if r.Kind == "account" {
			acc = append(acc, r)
		}
	}
	if len(acc) != len(wants) {
		t.Fatalf("%d account results, want %d: %+v", len(acc), len(wants), acc)
	}
	for i, w := range wants {
		r := acc[i]
		if r.Line != w.line || r.Login != w.login || r.Result != w.outcome || r.Code != w.code ||
			(w.site != "" && r.Site != w.site) || (w.home != "" && r.Home != w.home) {
			t.Errorf("result %d = %+v\nwant line %d %s %s %q site %q home %q", i, r, w.line, w.login, w.outcome, w.code, w.site, w.home)
		}
	}
}

// TestRun_PureFTPd: matching by the longest root, every refusal per line,
// dry run identical and changing nothing, re-run unchanged, system user.
func TestRun_PureFTPd(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	lines := []string{
		"one:" + sha512Hash + ":1001:1001::" + f.rootA + "/./::::::::::::",
		"two:" + md5Hash + ":1001:1001::" + f.rootA + "/up/./:::::::5000:::::",
		"three:" + md5Hash + ":1001:1001::" + f.rootB + "/er::::::::::::", // b.example's root is longer
		"four:" + md5Hash + ":1001:1001::/elsewhere/x::::::::::::",
		"Bad.Login:" + md5Hash + ":1001:1001::" + f.rootA + "::::::::::::",
		"five:plaintext:1001:1001::" + f.rootA + "::::::::::::",
		"one:" + md5Hash + ":1001:1001::" + f.rootA + "::::::::::::", // same login, other hash
		"six:" + md5Hash + ":1002:1002::" + f.rootA + "::::::::::::", // other system user
		"seven:" + md5Hash + ":1001:1001::" + f.rootA + "/missing::::::::::::",
		"one:" + sha512Hash + ":1001:1001::" + f.rootA + "/./::::::::::::", // duplicate, identical
		"root:" + md5Hash + ":1001:1001::" + f.rootA + "::::::::::::",
	}
	file := write(t, filepath.Join(dir, "pureftpd.passwd"), strings.Join(lines, "\n")+"\n")
	wants := []want{
		{1, "one", Created, "", "a.example", "/"},
		{2, "two", Created, "", "a.example", "/up"},
		{3, "three", Created, "", "b.example", "/er"},
		{4, "four", Refused, hosting.CodeHomeOutsideSite, "", ""},
		{5, "Bad.Login", Refused, hosting.CodeInvalidLogin, "", ""},
		{6, "five", Refused, hosting.CodeInvalidInput, "", ""},
		{7, "one", Refused, hosting.CodeLoginTaken, "", ""},
		{8, "six", Refused, hosting.CodeConflict, "", ""},
		{9, "seven", Refused, hosting.CodeHomeNotFound, "", ""},
		{10, "one", Unchanged, "", "a.example", "/"},
		{11, "root", Refused, hosting.CodeReservedLogin, "", ""},
	}
	before := f.state(t)
	dry := f.run(t, PureFTPd, file, Options{}, RunOptions{DryRun: true})
	check(t, dry, wants)
	if after := f.state(t); after != before {
		t.Fatalf("dry run changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	check(t, f.run(t, PureFTPd, file, Options{}, RunOptions{}), wants)
	got := f.state(t)
	for _, s := range []string{"account one a.example / " + sha512Hash, "account two a.example /up " + md5Hash + " 5000",
		"account three b.example /er " + md5Hash, "site a.example alice " + f.rootA + " 1001:1001", "site b.example bob " + f.rootB + " 1001:1001"} {
		if !strings.Contains(got, s) {
			t.Errorf("store lacks %q:\n%s", s, got)
		}
	}
	// Again: what was created is unchanged now, the refusals stay.
	again := f.run(t, PureFTPd, file, Options{}, RunOptions{})
	wants[0].outcome, wants[1].outcome, wants[2].outcome = Unchanged, Unchanged, Unchanged
	check(t, again, wants)
	if after := f.state(t); after != got {
		t.Errorf("re-run changed the store:\nbefore:\n%s\nafter:\n%s", got, after)
	}
}

// TestRun_SiteAndCustomer: --site puts homes on one site and refuses homes
// outside it; --customer restricts matching.
func TestRun_SiteAndCustomer(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	file := write(t, filepath.Join(dir, "p"), strings.Join([]string{
		"one:" + md5Hash + ":1:1::" + f.rootB + "::::::::::::",
		"two:" + md5Hash + ":1:1::/other/place::::::::::::",
	}, "\n"))
	check(t, f.run(t, PureFTPd, file, Options{}, RunOptions{DryRun: true, Site: "a.example"}), []want{
		{1, "one", Created, "", "a.example", "/deep"},
		{2, "two", Refused, hosting.CodeHomeOutsideSite, "", ""},
	})
	check(t, f.run(t, PureFTPd, file, Options{}, RunOptions{DryRun: true, Customer: "alice"}), []want{
		{1, "one", Created, "", "a.example", "/deep"},
		{2, "two", Refused, hosting.CodeHomeOutsideSite, "", ""},
	})
	recs, _ := Parse(PureFTPd, file, Options{})
	if _, err := Run(f.ctx, f.env.Service, recs, RunOptions{Site: "nope.example"}); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("unknown --site: %v, want not_found", err)
	}
	if _, err := Run(f.ctx, f.env.Service, recs, RunOptions{Site: "b.example", Customer: "alice"}); hosting.ErrorCode(err) != hosting.CodeConflict {
		t.Errorf("--site of another --customer: %v, want conflict", err)
	}
}

// TestRun_Limits: the site's max_ftp_accounts refuses the extra lines,
// in the dry run as in the real one.
func TestRun_Limits(t *testing.T) {
	f := newFixture(t)
	two := 2
	if _, err := f.env.Service.UpdateSite(f.ctx, "a.example", hosting.SiteUpdate{MaxFTPAccounts: &two}); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range 4 {
		lines = append(lines, fmt.Sprintf("u%d:%s:1:1::%s::::::::::::", i, md5Hash, f.rootA))
	}
	file := write(t, filepath.Join(t.TempDir(), "p"), strings.Join(lines, "\n"))
	wants := []want{{1, "u0", Created, "", "", ""}, {2, "u1", Created, "", "", ""},
		{3, "u2", Refused, hosting.CodeLimitExceeded, "", ""}, {4, "u3", Refused, hosting.CodeLimitExceeded, "", ""}}
	check(t, f.run(t, PureFTPd, file, Options{}, RunOptions{DryRun: true}), wants)
	check(t, f.run(t, PureFTPd, file, Options{}, RunOptions{}), wants)
}

// TestRun_Hostile: huge lines, NUL bytes, invalid UTF-8, ../ homes and a
// 100,000-line file give per-line refusals, no crash and nothing created.
func TestRun_Hostile(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("huge:" + strings.Repeat("x", 3*MaxLine) + "\n")
	b.WriteString("nul\x00:" + md5Hash + ":1:1::" + f.rootA + "::::::::::::\n")
	b.WriteString("utf:\xff\xfe:1:1::/x::::::::::::\n")
	b.WriteString("dots:" + md5Hash + ":1:1::" + f.rootA + "/../../../etc::::::::::::\n")
	b.WriteString("enc:" + md5Hash + ":1:1::" + f.rootA + "/%2e%2e/x::::::::::::\n")
	b.WriteString("ctl:" + md5Hash + ":1:1::" + f.rootA + "/a\tb::::::::::::\n")
	b.WriteString(strings.Repeat(":", 100) + "\n")
	b.WriteString("\n# comment\n")
	b.WriteString("last:" + md5Hash + ":1:1::" + f.rootA + "/up::::::::::::") // no final newline
	file := write(t, filepath.Join(dir, "hostile"), b.String())
	before := f.state(t)
	res := f.run(t, PureFTPd, file, Options{}, RunOptions{DryRun: true})
	wantCodes := []hosting.Code{hosting.CodeInvalidInput, hosting.CodeInvalidInput, hosting.CodeInvalidInput,
		hosting.CodeHomeOutsideSite, hosting.CodeHomeOutsideSite, hosting.CodeInvalidHome, hosting.CodeInvalidInput, ""}
	wantLines := []int{1, 2, 3, 4, 5, 6, 7, 10}
	if len(res) != len(wantCodes) {
		t.Fatalf("%d results, want %d: %+v", len(res), len(wantCodes), res)
	}
	for i, r := range res {
		if r.Code != wantCodes[i] || r.Line != wantLines[i] {
			t.Errorf("result %d = line %d code %q (%s), want line %d code %q", i, r.Line, r.Code, r.Message, wantLines[i], wantCodes[i])
		}
		if len(r.Message) > 1000 {
			t.Errorf("result %d message is %d bytes long", i, len(r.Message))
		}
	}
	if after := f.state(t); after != before {
		t.Errorf("dry run changed the store")
	}

	// 100,000 lines of garbage and bad homes: one refusal each.
	b.Reset()
	for i := range 100_000 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "u%d:%s:1:1::/nowhere/%d::::::::::::\n", i, md5Hash, i)
		case 1:
			fmt.Fprintf(&b, "u%d:%s:1:1::%s/../x::::::::::::\n", i, md5Hash, f.rootA)
		case 2:
			fmt.Fprintf(&b, "garbage line %d\n", i)
		case 3:
			fmt.Fprintf(&b, "u%d:nothash:1:1::%s::::::::::::\n", i, f.rootA)
		}
	}
	big := write(t, filepath.Join(dir, "big"), b.String())
	for _, src := range []Source{PureFTPd, ProFTPD, VSFTPd, CSV, JSON} {
		recs, err := Parse(src, big, Options{})
		if src == CSV {
			// The first row is the header, which is not valid here.
			if hosting.ErrorCode(err) != hosting.CodeInvalidInput {
				t.Errorf("csv: Parse = %v, want invalid_input", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: Parse: %v", src, err)
		}
		if len(recs) != 100_000 {
			t.Errorf("%s: %d records, want 100000", src, len(recs))
		}
		if src != PureFTPd {
			continue
		}
		res, err := Run(f.ctx, f.env.Service, recs, RunOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		n := map[hosting.Code]int{}
		for _, r := range res {
			if r.Result != Refused {
				t.Fatalf("line %d not refused: %+v", r.Line, r)
			}
			n[r.Code]++
		}
		if n[hosting.CodeHomeOutsideSite] != 50_000 || n[hosting.CodeInvalidInput] != 50_000 {
			t.Errorf("codes = %v, want 50000 home_outside_site and 50000 invalid_input", n)
		}
	}
	if after := f.state(t); after != before {
		t.Errorf("hostile imports changed the store")
	}
}

// TestRun_Generic: CSV and JSON (array and lines) with hashes, passwords,
// site-relative homes, quotas, permissions and allowed IPs.
func TestRun_Generic(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	csvFile := write(t, filepath.Join(dir, "a.csv"), `# exported from a home-grown panel
login,hash,password,home,site,customer,quota,read,write,allowed_ips
c1,`+md5Hash+`,,`+f.rootA+`/up,,,500M,yes,no,"10.0.0.1, 10.1.0.0/16"
c2,,Gr8-Passw0rd!,/up,a.example,alice,,,,
c3,,weak,/up,a.example,,,,,
c4,`+md5Hash+`,,/up,b.example,alice,,,,
c5,`+md5Hash+`,,/up,a.example,,lots,,,
"c6,`+md5Hash+`
`)
	check(t, f.run(t, CSV, csvFile, Options{}, RunOptions{}), []want{
		{3, "c1", Created, "", "a.example", "/up"},
		{4, "c2", Created, "", "a.example", "/up"},
		{5, "c3", Refused, hosting.CodeWeakPassword, "", ""},
		{6, "c4", Refused, hosting.CodeConflict, "", ""},
		{7, "c5", Refused, hosting.CodeInvalidInput, "", ""},
		{8, "", Refused, hosting.CodeInvalidInput, "", ""},
	})
	st := f.state(t)
	if !strings.Contains(st, "account c1 a.example /up "+md5Hash+" 524288000 true false [10.0.0.1 10.1.0.0/16]") {
		t.Errorf("c1 not as imported:\n%s", st)
	}
	a, err := f.env.Service.AuthenticateFTP(context.Background(), "c2", "Gr8-Passw0rd!", mustAddr("127.0.0.1"))
	if err != nil || a.Login != "c2" {
		t.Errorf("c2 cannot log in with its password: %v", err)
	}
	// The clear-text password is checked again on a re-run, not rehashed.
	check(t, f.run(t, CSV, csvFile, Options{}, RunOptions{}), []want{
		{3, "c1", Unchanged, "", "", ""}, {4, "c2", Unchanged, "", "", ""},
		{5, "c3", Refused, hosting.CodeWeakPassword, "", ""}, {6, "c4", Refused, hosting.CodeConflict, "", ""},
		{7, "c5", Refused, hosting.CodeInvalidInput, "", ""}, {8, "", Refused, hosting.CodeInvalidInput, "", ""},
	})

	arr := write(t, filepath.Join(dir, "a.json"), `[
  {"login": "j1", "hash": "`+sha512Hash+`", "home": "`+f.rootB+`/er", "quota": 1024, "read": true, "write": false},
  {"login": "j2", "hash": "`+sha512Hash+`", "site": "b.example", "home": "/", "allowed_ips": ["192.0.2.1"]},
  {"login": "j3", "hash": "`+sha512Hash+`", "home": "/x", "extra": 1},
  {"login": "j4", "hash": "`+sha512Hash+`", "home": "relative"}
]`)
	check(t, f.run(t, JSON, arr, Options{}, RunOptions{}), []want{
		{2, "j1", Created, "", "b.example", "/er"},
		{3, "j2", Created, "", "b.example", "/"},
		{4, "", Refused, hosting.CodeInvalidInput, "", ""},
		{5, "j4", Refused, hosting.CodeInvalidHome, "", ""},
	})
	// With --site, relative homes are the site's; an old path under a
	// mapped folder is found in a named site too.
	mapped := write(t, filepath.Join(dir, "m.csv"), "login,hash,home,site\n"+
		"m1,"+md5Hash+",up,\n"+
		"m2,"+md5Hash+",/old/site/deep/er,a.example\n"+
		"m3,"+md5Hash+",/elsewhere/deep,\n")
	check(t, f.run(t, CSV, mapped, Options{}, RunOptions{DryRun: true, Site: "a.example", MapHome: []Mapping{{"/old/site", f.rootA}}}), []want{
		{2, "m1", Created, "", "a.example", "/up"},
		{3, "m2", Created, "", "a.example", "/deep/er"},
		{4, "m3", Refused, hosting.CodeHomeOutsideSite, "", ""},
	})
	lines := write(t, filepath.Join(dir, "b.jsonl"), `{"login": "k1", "hash": "`+sha512Hash+`", "home": "`+f.rootA+`"}
not json
{"login": "k2", "hash": ["x"], "home": "/"}
`)
	check(t, f.run(t, JSON, lines, Options{}, RunOptions{}), []want{
		{1, "k1", Created, "", "a.example", "/"},
		{2, "", Refused, hosting.CodeInvalidInput, "", ""},
		{3, "", Refused, hosting.CodeInvalidInput, "", ""},
	})
}

// TestRun_Hestia reads the fixture folder in testdata: customers and sites
// are created, FTP accounts land in their web domain's folders.
func TestRun_Hestia(t *testing.T) {
	f := newFixture(t)
	home := t.TempDir()
	for _, d := range []string{"hal/web/hal.example/public_html/up", "hal/web/shop.example/public_html", "kim/web/kim.example"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	po := Options{}
	o := RunOptions{MapHome: []Mapping{{"/home", home}}}
	before := f.state(t)
	dry := f.run(t, Hestia, "testdata/hestia", po, RunOptions{DryRun: true, MapHome: o.MapHome})
	if after := f.state(t); after != before {
		t.Fatalf("dry run changed the store")
	}
	real := f.run(t, Hestia, "testdata/hestia", po, o)
	if len(dry) != len(real) {
		t.Fatalf("dry run %d results, real %d:\n%+v\n%+v", len(dry), len(real), dry, real)
	}
	for i := range dry {
		d, r := dry[i], real[i]
		d.Message, r.Message, d.Login, r.Login = "", "", "", ""
		if fmt.Sprint(d) != fmt.Sprint(r) && d.Kind == "account" {
			t.Errorf("dry %+v\nreal %+v", dry[i], real[i])
		}
	}
	var got []string
	for _, r := range real {
		got = append(got, fmt.Sprintf("%d %s %s %s %s %s %s", r.Line, r.Kind, r.Result, r.Login, r.Site, r.Home, r.Code))
	}
	wantLines := []string{
		"1 customer created hal   ",
		"1 site created %s hal.example " + home + "/hal/web/hal.example ",
		"1 account created hal_deploy hal.example / ",
		"1 account created hal_up hal.example /public_html/up ",
		"2 site created %s shop.example " + home + "/hal/web/shop.example ",
		"2 account created hal_shop shop.example /public_html ",
		"2 account refused hal_evil shop.example  home_outside_site",
		"2 account refused hal_nohash shop.example  invalid_input",
		"1 customer created kim   ",
		"1 site created %s kim.example " + home + "/kim/web/kim.example ",
		"1 account created kim_a kim.example / ",
		"2 site created %s kim2.example " + home + "/kim/web/kim2.example ",
		"2 account refused other_b kim2.example  invalid_login",
	}
	if len(got) != len(wantLines) {
		t.Fatalf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"))
	}
	for i, w := range wantLines {
		if strings.Contains(w, "%s") {
			parts := strings.SplitN(got[i], " ", 5)
			w = strings.Replace(w, "%s", parts[3], 1) // the generated main login
		}
		if got[i] != w {
			t.Errorf("result %d = %q, want %q", i, got[i], w)
		}
	}
	c, err := f.env.Service.Customer(f.ctx, "hal")
	if err != nil || c.Name != "Hal Jordan" || c.Email != "hal@hal.example" {
		t.Errorf("customer hal = %+v, %v", c, err)
	}
	again := f.run(t, Hestia, "testdata/hestia", po, o)
	for _, r := range again {
		if r.Kind != "account" || r.Result == Created {
			t.Errorf("re-run: %+v, want only unchanged or refused accounts", r)
		}
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// TestRun_HestiaLoginTaken: a login already used elsewhere is refused in
// the dry run (whose site does not exist yet) as in the real import.
func TestRun_HestiaLoginTaken(t *testing.T) {
	f := newFixture(t)
	f.env.MustAccount(t, "a.example", "hal_deploy", "")
	o := RunOptions{MapHome: []Mapping{{"/home", t.TempDir()}}}
	for _, dry := range []bool{true, false} {
		o.DryRun = dry
		found := false
		for _, r := range f.run(t, Hestia, "testdata/hestia", Options{}, o) {
			if r.Login == "hal_deploy" {
				found = true
				if r.Result != Refused || r.Code != hosting.CodeLoginTaken {
					t.Errorf("dry run %v: %+v, want login_taken", dry, r)
				}
			}
		}
		if !found {
			t.Errorf("dry run %v: no result for hal_deploy", dry)
		}
	}
}

// TestParse_Files: missing files, folders and oversized files are refused
// as a whole; a vsftpd user without local_root takes --site's root.
func TestParse_Files(t *testing.T) {
	dir := t.TempDir()
	if _, err := Parse(PureFTPd, filepath.Join(dir, "nope"), Options{}); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("missing file: %v, want not_found", err)
	}
	if _, err := Parse(CSV, dir, Options{}); hosting.ErrorCode(err) != hosting.CodeInvalidInput {
		t.Errorf("folder: %v, want invalid_input", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(JSON, big, Options{}); hosting.ErrorCode(err) != hosting.CodeInvalidInput {
		t.Errorf("oversized file: %v, want invalid_input", err)
	}
	if _, err := Parse("ftpd", big, Options{}); hosting.ErrorCode(err) != hosting.CodeInvalidInput {
		t.Errorf("unknown source: %v, want invalid_input", err)
	}
	if _, err := Parse(Hestia, dir, Options{}); hosting.ErrorCode(err) != hosting.CodeNotFound {
		t.Errorf("not a HestiaCP folder: %v, want not_found", err)
	}

	f := newFixture(t)
	vs := write(t, filepath.Join(dir, "vs"), "nohome:"+md5Hash+"\nlater:"+md5Hash+"\n")
	conf := filepath.Join(dir, "conf")
	write(t, filepath.Join(conf, "later"), "local_root="+f.rootA+"/up\nwrite_enable=NO\nanon_upload_enable=YES\n")
	check(t, f.run(t, VSFTPd, vs, Options{UserConfigDir: conf}, RunOptions{DryRun: true}), []want{
		{1, "nohome", Refused, hosting.CodeInvalidHome, "", ""},
		{2, "later", Created, "", "a.example", "/up"},
	})
	res := f.run(t, VSFTPd, vs, Options{UserConfigDir: conf}, RunOptions{Site: "a.example"})
	check(t, res, []want{
		{1, "nohome", Created, "", "a.example", "/"},
		{2, "later", Created, "", "a.example", "/up"},
	})
	if len(res[1].Notes) != 1 || !strings.Contains(res[1].Notes[0], "anon_upload_enable") {
		t.Errorf("notes %q, want anon_upload_enable not carried over", res[1].Notes)
	}
	if st := f.state(t); !strings.Contains(st, "account later a.example /up "+md5Hash+" -1 true false") {
		t.Errorf("later is not read-only:\n%s", st)
	}
}

// TestRun_SystemUserOnlyWithAccount: a refused line leaves the site's
// system user alone; root's uid is never used.
func TestRun_SystemUserOnlyWithAccount(t *testing.T) {
	f := newFixture(t)
	file := write(t, filepath.Join(t.TempDir(), "p"), "Bad.Login:"+md5Hash+":1001:1001::"+f.rootA+"::::::::::::\n"+
		"rooted:"+md5Hash+":0:0::"+f.rootA+"::::::::::::\n")
	res := f.run(t, PureFTPd, file, Options{}, RunOptions{})
	check(t, res, []want{{1, "Bad.Login", Refused, hosting.CodeInvalidLogin, "", ""}, {2, "rooted", Created, "", "a.example", "/"}})
	if st := f.state(t); !strings.Contains(st, "site a.example alice "+f.rootA+" -1:-1") {
		t.Errorf("system user changed:\n%s", st)
	}
	if len(res[1].Notes) != 1 || !strings.Contains(res[1].Notes[0], "root") {
		t.Errorf("notes %q, want the root note", res[1].Notes)
	}
}
