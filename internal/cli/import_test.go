package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
)

// tool finds a migration tool (pure-pw, ftpasswd, htpasswd, mkpasswd,
// openssl) on PATH, in /usr/sbin or in $FTPANEL_TEST_TOOLS. Outside CI a
// missing tool skips the test; in CI (CI set, as .ci/run does) it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range filepath.SplitList(os.Getenv("FTPANEL_TEST_TOOLS") + ":/usr/sbin:/sbin") {
		if d == "" {
			continue
		}
		if p := filepath.Join(d, name); isExec(p) {
			return p
		}
	}
	msg := fmt.Sprintf("%s is not installed (Debian: apache2-utils, whois, openssl, proftpd-core; pure-pw from pure-ftpd, "+
		"or unpacked from it into $FTPANEL_TEST_TOOLS as .ci/run does)", name)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// sh runs a tool with stdin and returns its stdout.
func sh(t *testing.T, stdin string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

func appendLine(t *testing.T, name, line string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintln(f, line); err != nil {
		t.Fatal(err)
	}
}

// importResult is one line of `ftpanel --json import`.
type importResult struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Kind    string `json:"kind"`
	Login   string `json:"login"`
	Site    string `json:"site"`
	Home    string `json:"home"`
	Result  string `json:"result"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (r importResult) String() string {
	if r.Kind == "site" {
		r.Login = "" // the generated main account
	}
	return fmt.Sprintf("%d %s %s %s %s %s %s", r.Line, r.Kind, r.Result, r.Login, r.Site, r.Home, r.Code)
}

// runImport runs `ftpanel --json import args…` and returns the results,
// one JSON object per line, and the exit status.
func (e *env) runImport(t *testing.T, args ...string) ([]importResult, int) {
	t.Helper()
	r := e.run(t, append([]string{"--json", "import"}, args...)...)
	var out []importResult
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	for {
		var x importResult
		if err := dec.Decode(&x); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode: %v\n%v", err, r)
		}
		out = append(out, x)
	}
	if (r.code == 0) != (r.stderr == "") {
		t.Errorf("exit %d with stderr %q", r.code, r.stderr)
	}
	return out, r.code
}

func accounts(t *testing.T, e *env) string {
	t.Helper()
	var as []account
	e.ok(t, &as, "account", "list")
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%s %s %s %d %v %v %v\n", a.Login, a.Site, a.Home, a.QuotaBytes, a.Read, a.Write, a.AllowedIPs)
	}
	return b.String()
}

// expectImport runs the import as a dry run, then for real, then again:
// the dry run must report what the real run does and change nothing, the
// second real run must report the created accounts unchanged.
func (e *env) expectImport(t *testing.T, wantExit int, want []string, args ...string) {
	t.Helper()
	before := accounts(t, e)
	dry, code := e.runImport(t, append([]string{"--dry-run"}, args...)...)
	if code != wantExit {
		t.Errorf("dry run exit %d, want %d", code, wantExit)
	}
	if after := accounts(t, e); after != before {
		t.Errorf("dry run changed the accounts:\n%s\n→\n%s", before, after)
	}
	real, code := e.runImport(t, args...)
	if code != wantExit {
		t.Errorf("import exit %d, want %d", code, wantExit)
	}
	var got []string
	for i, r := range real {
		got = append(got, r.String())
		if i < len(dry) && dry[i].Kind == "account" && dry[i].String() != r.String() {
			t.Errorf("dry run said %q, import did %q", dry[i], r)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("import %v:\n%s\nwant:\n%s", args, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	again, _ := e.runImport(t, args...)
	for _, r := range again {
		if r.Result == "created" {
			t.Errorf("second import created again: %v", r)
		}
	}
}

// TestCLI_Import builds the files of pure-ftpd, ProFTPD and vsftpd with
// their own tools, a HestiaCP folder and generic CSV/JSON, imports them,
// and logs in over FTP with the original passwords into the original
// folders.
func TestCLI_Import(t *testing.T) {
	purePW, ftpasswd, ftpquota := tool(t, "pure-pw"), tool(t, "ftpasswd"), tool(t, "ftpquota")
	htpasswd, mkpasswd, openssl := tool(t, "htpasswd"), tool(t, "mkpasswd"), tool(t, "openssl")

	e := newEnv(t)
	tmp := t.TempDir()
	www := filepath.Join(tmp, "www")
	e.ok(t, nil, "customer", "add", "alice")
	e.ok(t, nil, "customer", "add", "bob")
	e.ok(t, nil, "site", "add", "a.example", "--customer", "alice", "--root", www+"/a.example")
	e.ok(t, nil, "site", "add", "b.example", "--customer", "bob", "--root", www+"/b.example")
	// Every folder holds where.txt naming it, to check logins land in it.
	folders := []string{"a.example/pub", "a.example/pro", "a.example/vs", "a.example/csv", "b.example/up",
		"hestia/hal/web/hal.example", "hestia/hal/web/hal.example/public_html/up", "hestia/kim/web/kim.example"}
	for _, d := range folders {
		p := filepath.Join(tmp, "www", d)
		if strings.HasPrefix(d, "hestia/") {
			p = filepath.Join(tmp, d)
		}
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "where.txt"), []byte(d), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type login struct{ user, pw, where string }
	var logins []login

	// pure-ftpd: pure-pw writes the argon2id line; a crypt hash made by
	// openssl goes into a line in the same format, with quota and IPs.
	pure := filepath.Join(tmp, "pureftpd.passwd")
	sh(t, "Pure-pass1\nPure-pass1\n", []string{"PURE_PASSWDFILE=" + pure}, purePW, "useradd", "pbob", "-u", "1001", "-g", "1001",
		"-d", www+"/a.example/pub", "-N", "50", "-r", "127.0.0.1,10.0.0.0/8", "-f", pure)
	h := strings.TrimSpace(sh(t, "", nil, openssl, "passwd", "-6", "Pure-pass2"))
	appendLine(t, pure, "pcarol:"+h+":1001:1001::"+www+"/b.example/up/./::::::::::::")
	appendLine(t, pure, "pdan:"+h+":1001:1001::/var/ftp/elsewhere/./::::::::::::")
	e.expectImport(t, 2, []string{
		"1 account created pbob a.example /pub ",
		"2 account created pcarol b.example /up ",
		"3 account refused pdan   home_outside_site",
	}, "pureftpd", pure)
	logins = append(logins, login{"pbob", "Pure-pass1", "a.example/pub"}, login{"pcarol", "Pure-pass2", "b.example/up"})
	var pb account
	e.ok(t, &pb, "account", "show", "pbob")
	if pb.QuotaBytes != 50<<20 || strings.Join(pb.AllowedIPs, ",") != "127.0.0.1,10.0.0.0/8" {
		t.Errorf("pbob quota %d, allowed IPs %v; want 50 MiB and pure-pw's -r list", pb.QuotaBytes, pb.AllowedIPs)
	}
	var sa site
	e.ok(t, &sa, "site", "show", "a.example")
	if sa.UID != 1001 || sa.GID != 1001 {
		t.Errorf("a.example system user %d:%d, want pure-ftpd's 1001:1001", sa.UID, sa.GID)
	}

	// ProFTPD: ftpasswd writes the AuthUserFile (sha256-crypt by default,
	// --sha512, --md5), ftpquota the limit table whose text is imported.
	pro := filepath.Join(tmp, "ftpd.passwd")
	for _, u := range []struct{ name, pw, home, alg string }{
		{"rdave", "Pro-pass1", www + "/a.example/pro", ""},
		{"rerin", "Pro-pass2", www + "/a.example/pro", "--sha512"},
		{"rfay", "Pro-pass3", www + "/b.example/up", "--md5"},
	} {
		args := []string{"--passwd", "--file=" + pro, "--name=" + u.name, "--uid=1001", "--gid=1001", "--home=" + u.home, "--shell=/bin/false", "--stdin"}
		if u.alg != "" {
			args = append(args, u.alg)
		}
		sh(t, u.pw+"\n", nil, ftpasswd, args...)
		logins = append(logins, login{u.name, u.pw, strings.TrimPrefix(u.home, www+"/")})
	}
	table := filepath.Join(tmp, "ftpquota.limittab")
	sh(t, "", nil, ftpquota, "--create-table", "--type=limit", "--table-path="+table)
	sh(t, "", nil, ftpquota, "--add-record", "--type=limit", "--name=rdave", "--quota-type=user", "--bytes-upload=20", "--units=Mb", "--table-path="+table)
	quotas := filepath.Join(tmp, "quotas.txt")
	if err := os.WriteFile(quotas, []byte(sh(t, "", nil, ftpquota, "--show-records", "--type=limit", "--table-path="+table)), 0o600); err != nil {
		t.Fatal(err)
	}
	e.expectImport(t, 0, []string{
		"1 account created rdave a.example /pro ",
		"2 account created rerin a.example /pro ",
		"3 account created rfay b.example /up ",
	}, "proftpd", "--quota-file", quotas, pro)
	var rd account
	e.ok(t, &rd, "account", "show", "rdave")
	if rd.QuotaBytes != 20<<20 {
		t.Errorf("rdave quota %d, want ftpquota's 20 MiB", rd.QuotaBytes)
	}

	// vsftpd: htpasswd (bcrypt; apr1 is not a crypt(3) hash and is
	// refused), mkpasswd (yescrypt), openssl (md5-crypt); user_config_dir
	// files give local_root and write_enable.
	vs := filepath.Join(tmp, "vsftpd.passwd")
	sh(t, "", nil, htpasswd, "-c", "-B", "-b", vs, "vbee", "Vs-pass1")
	appendLine(t, vs, "vyes:"+strings.TrimSpace(sh(t, "Vs-pass2\n", nil, mkpasswd, "-m", "yescrypt", "--stdin")))
	appendLine(t, vs, "vmd:"+strings.TrimSpace(sh(t, "", nil, openssl, "passwd", "-1", "Vs-pass3")))
	sh(t, "", nil, htpasswd, "-m", "-b", vs, "vapr", "Vs-pass4")
	appendLine(t, vs, "vnohome:"+strings.TrimSpace(sh(t, "", nil, openssl, "passwd", "-5", "Vs-pass5")))
	conf := filepath.Join(tmp, "vsftpd_user_conf")
	for name, text := range map[string]string{
		"vbee":    "local_root=" + www + "/a.example/vs\nwrite_enable=NO\n",
		"vyes":    "local_root=" + www + "/b.example/up\nwrite_enable=YES\nlocal_umask=022\n",
		"vmd":     "local_root=" + www + "/a.example/vs/../../b.example\n",
		"vapr":    "local_root=" + www + "/a.example/vs\n",
		"vnohome": "write_enable=YES\n",
	} {
		if err := os.MkdirAll(conf, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(conf, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.expectImport(t, 2, []string{
		"1 account created vbee a.example /vs ",
		"2 account created vyes b.example /up ",
		"3 account refused vmd   home_outside_site",
		"4 account refused vapr a.example  invalid_input",
		"5 account refused vnohome   invalid_home",
	}, "vsftpd", "--user-config-dir", conf, vs)
	logins = append(logins, login{"vbee", "Vs-pass1", "a.example/vs"}, login{"vyes", "Vs-pass2", "b.example/up"})

	// HestiaCP: the fixture folder, its /home mapped to here.
	e.expectImport(t, 2, []string{
		"1 customer created hal   ",
		"1 site created  hal.example " + tmp + "/hestia/hal/web/hal.example ",
		"1 account created hal_deploy hal.example / ",
		"1 account created hal_up hal.example /public_html/up ",
		"2 site created  shop.example " + tmp + "/hestia/hal/web/shop.example ",
		"2 account created hal_shop shop.example /public_html ",
		"2 account refused hal_evil shop.example  home_outside_site",
		"2 account refused hal_nohash shop.example  invalid_input",
		"1 customer created kim   ",
		"1 site created  kim.example " + tmp + "/hestia/kim/web/kim.example ",
		"1 account created kim_a kim.example / ",
		"2 site created  kim2.example " + tmp + "/hestia/kim/web/kim2.example ",
		"2 account refused other_b kim2.example  invalid_login",
	}, "hestia", "--map-home", "/home="+tmp+"/hestia", "--create-missing", "../importer/testdata/hestia")
	logins = append(logins, login{"hal_deploy", "Hal-deploy1", "hestia/hal/web/hal.example"},
		login{"hal_up", "Hal-up-pw1", "hestia/hal/web/hal.example/public_html/up"}, login{"kim_a", "Kim-a-pass1", "hestia/kim/web/kim.example"})

	// Generic CSV and JSON.
	csvFile := filepath.Join(tmp, "accounts.csv")
	h5 := strings.TrimSpace(sh(t, "", nil, openssl, "passwd", "-5", "Csv-pass1"))
	if err := os.WriteFile(csvFile, []byte("login,hash,password,site,home,quota,write\n"+
		"cgus,"+h5+",,,"+www+"/a.example/csv,1G,false\n"+
		"chal,,Csv-Pass-2!,a.example,/csv,,\n"+
		"cbad,$apr1$x$y,,a.example,/csv,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.expectImport(t, 2, []string{
		"2 account created cgus a.example /csv ",
		"3 account created chal a.example /csv ",
		"4 account refused cbad a.example  invalid_input",
	}, "csv", csvFile)
	jsonFile := filepath.Join(tmp, "accounts.json")
	h6 := strings.TrimSpace(sh(t, "", nil, openssl, "passwd", "-6", "Json-pass1"))
	if err := os.WriteFile(jsonFile, []byte(`[{"login": "jiv", "hash": "`+h6+`", "site": "b.example", "home": "/up", "allowed_ips": ["127.0.0.1"]},
 {"login": "cgus", "hash": "`+h6+`", "site": "a.example", "home": "/csv"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	e.expectImport(t, 4, []string{
		"1 account created jiv b.example /up ",
		"2 account refused cgus a.example  login_taken",
	}, "json", jsonFile)
	logins = append(logins, login{"cgus", "Csv-pass1", "a.example/csv"}, login{"chal", "Csv-Pass-2!", "a.example/csv"},
		login{"jiv", "Json-pass1", "b.example/up"})

	// The table: "would create" in a dry run, and the summary line.
	r := e.run(t, "import", "--dry-run", "csv", csvFile)
	if !strings.Contains(r.stdout, "LINE") || !strings.Contains(r.stdout, "unchanged") ||
		!strings.Contains(r.stdout, "0 account(s) would be created, 2 unchanged, 1 refused (dry run: nothing was changed)") {
		t.Errorf("table output:\n%v", r)
	}
	if r.code != 2 || !strings.Contains(r.stderr, "1 of 3 results refused") {
		t.Errorf("exit %d, stderr %q; want 2 and the count of refusals", r.code, r.stderr)
	}

	// Everyone logs in over FTP with the password of the old server and
	// finds its folder.
	s := e.startServe(t, "--json")
	var info serveInfo
	if err := json.Unmarshal([]byte(s.line(t)), &info); err != nil {
		t.Fatalf("serve --json: %v", err)
	}
	if info.FTPAddr == "" {
		t.Fatal("serve reports no FTP listener")
	}
	for _, l := range logins {
		c, err := ftp.Dial(info.FTPAddr, ftp.DialWithTimeout(60*time.Second))
		if err != nil {
			t.Fatalf("FTP dial: %v", err)
		}
		if err := c.Login(l.user, l.pw); err != nil {
			t.Errorf("FTP login %s with its old password: %v", l.user, err)
			_ = c.Quit()
			continue
		}
		rc, err := c.Retr("where.txt")
		if err != nil {
			t.Errorf("%s: RETR where.txt: %v", l.user, err)
		} else {
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			if string(b) != l.where {
				t.Errorf("%s lands in %q, want %q", l.user, b, l.where)
			}
		}
		err = c.Stor("written-by-"+l.user, strings.NewReader("x"))
		readOnly := l.user == "vbee" || l.user == "cgus" // write_enable=NO, write=false
		if readOnly && err == nil {
			t.Errorf("%s (read-only) could upload", l.user)
		} else if !readOnly && err != nil {
			t.Errorf("%s cannot upload: %v", l.user, err)
		}
		if err := c.Login(l.user, l.pw+"x"); err == nil {
			t.Errorf("%s logs in with a wrong password", l.user)
		}
		_ = c.Quit()
	}
	s.stop(t)
}

// TestCLI_ImportProgress: on a terminal (script(1) gives one) a large
// import draws a progress bar on stderr; through a pipe it does not.
func TestCLI_ImportProgress(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed (Debian: bsdutils)")
	}
	e := newEnv(t)
	root := filepath.Join(t.TempDir(), "a.example")
	e.ok(t, nil, "customer", "add", "alice")
	e.ok(t, nil, "site", "add", "a.example", "--customer", "alice", "--root", root)
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "u%d:$1$saltsalt$qDDrZZpP21tlG7v.z1Bej/:1001:1001::%s/./::::::::::::\n", i, root)
	}
	file := filepath.Join(t.TempDir(), "pureftpd.passwd")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, "-qec", binary+" import pureftpd --dry-run "+file, "/dev/null")
	cmd.Env = e.environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "importing [##############################] 100%  1000/1000 lines") {
		t.Errorf("no progress bar on a terminal:\n%.2000s", out)
	}
	if !strings.Contains(string(out), "1000 account(s) would be created") {
		t.Errorf("no summary:\n%.2000s", out)
	}
	r := e.run(t, "import", "pureftpd", "--dry-run", file)
	if r.code != 0 || strings.Contains(r.stderr+r.stdout, "importing [") {
		t.Errorf("through a pipe: %v", r)
	}
}
