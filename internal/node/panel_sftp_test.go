package node

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
)

// panelClient is a cookie-keeping HTTP client signed in to a node's panel.
type panelClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request (form nil: GET) and returns the status and the body,
// remembering the page's CSRF token.
func (p *panelClient) do(path string, form url.Values) (int, string) {
	p.t.Helper()
	var res *http.Response
	var err error
	if form == nil {
		res, err = p.c.Get(p.base + path)
	} else {
		form.Set("csrf", p.csrf)
		res, err = p.c.PostForm(p.base+path, form)
	}
	if err != nil {
		p.t.Fatalf("%s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatalf("%s: %v", path, err)
	}
	if m := csrfField.FindSubmatch(b); m != nil {
		p.csrf = string(m[1])
	}
	return res.StatusCode, string(b)
}

// pageText is s as html/template writes it into a page ("+" included).
func pageText(s string) string { return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;") }

// signIn returns a client signed in to n's panel as login.
func signIn(t *testing.T, n *Node, login, pw string) *panelClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &panelClient{t: t, base: n.HTTPURL(), c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
	p.do("/login", nil)
	if code, body := p.do("/login", url.Values{"login": {login}, "password": {pw}}); code != http.StatusOK || !strings.Contains(body, "FTP accounts") {
		t.Fatalf("sign in as %s: %d %.500s", login, code, body)
	}
	return p
}

// TestNode_PanelShowsSFTP: the panel of a running node shows, on the
// account card, the SFTP port the server really listens on and the
// fingerprint of the host key it really offers (and so does the REST
// account object); a key added on the panel's keys page logs in over
// SFTP, and no longer once deleted there.
func TestNode_PanelShowsSFTP(t *testing.T) {
	n := MustStart(t)
	ctx := adminCtx()
	svc := n.Service()
	if _, _, err := svc.CreateCustomer(ctx, hosting.CustomerCreate{Login: "dave", Password: "Cust-pw-7788"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.CreateSite(ctx, hosting.SiteCreate{Name: "keys.example", Customer: "dave", MainLogin: "keysmain",
		MainPassword: "Keys-pw-4455"}); err != nil {
		t.Fatal(err)
	}
	_, port, err := net.SplitHostPort(n.SFTPAddr())
	if err != nil {
		t.Fatalf("SFTPAddr %q: %v", n.SFTPAddr(), err)
	}

	// The host key the server offers, as a client sees it.
	var offered string
	c, err := ssh.Dial("tcp", n.SFTPAddr(), &ssh.ClientConfig{User: "keysmain", Auth: []ssh.AuthMethod{ssh.Password("Keys-pw-4455")},
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			offered = key.Type() + " " + ssh.FingerprintSHA256(key)
			return nil
		}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("SFTP login: %v", err)
	}
	c.Close()
	if offered == "" {
		t.Fatal("no host key offered")
	}

	p := signIn(t, n, "dave", "Cust-pw-7788")
	_, page := p.do("/accounts", nil)
	for _, want := range []string{
		">sftp -P " + port + " keysmain@127.0.0.1</code>",
		", SFTP on port <code>" + port + "</code>",
		pageText(offered),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("accounts page lacks %q", want)
		}
	}
	if len(n.SFTPHostKeys()) == 0 {
		t.Fatal("no host keys")
	}
	for _, fp := range n.SFTPHostKeys() {
		if !strings.Contains(page, pageText(fp)) {
			t.Errorf("accounts page lacks host key %q", fp)
		}
	}

	// The REST account object says the same.
	tok, err := svc.CreateToken(ctx, hosting.TokenCreate{Customer: "dave"})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", n.HTTPURL()+"/api/v1/accounts/keysmain", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var acct struct {
		SFTP struct {
			Host                string   `json:"host"`
			Port                int      `json:"port"`
			HostKeyFingerprints []string `json:"host_key_fingerprints"`
		} `json:"sftp"`
	}
	err = json.NewDecoder(res.Body).Decode(&acct)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET account: %d %v", res.StatusCode, err)
	}
	if strconv.Itoa(acct.SFTP.Port) != port || acct.SFTP.Host != "127.0.0.1" || !slices.Equal(acct.SFTP.HostKeyFingerprints, n.SFTPHostKeys()) {
		t.Errorf("REST sftp = %+v, want 127.0.0.1:%s with %v", acct.SFTP, port, n.SFTPHostKeys())
	}

	// A key added on the panel logs in; deleted there, it no longer does.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keyLogin := func() error {
		c, err := ssh.Dial("tcp", n.SFTPAddr(), &ssh.ClientConfig{User: "keysmain", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
			HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}) //nolint:gosec // our own server, its key checked above
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := keyLogin(); err == nil {
		t.Fatal("a key the account does not have logged in")
	}
	p.do("/accounts/keysmain/keys", nil)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " node-test"
	if code, body := p.do("/accounts/keysmain/keys", url.Values{"public_key": {line}}); code != http.StatusOK || !strings.Contains(body, "added to keysmain") {
		t.Fatalf("add key: %d %.800s", code, body)
	}
	if err := keyLogin(); err != nil {
		t.Fatalf("SFTP login with the key added on the panel: %v", err)
	}
	keys, err := svc.SSHKeys(ctx, "keysmain")
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys = %v, %v", keys, err)
	}
	if code, body := p.do("/accounts/keysmain/keys/"+itoa(keys[0].ID)+"/delete", url.Values{}); code != http.StatusOK || !strings.Contains(body, "deleted from keysmain") {
		t.Fatalf("delete key: %d %.800s", code, body)
	}
	if err := keyLogin(); err == nil {
		t.Error("the key deleted on the panel still logs in")
	}
}
