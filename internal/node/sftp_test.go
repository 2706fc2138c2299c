package node

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"ftpanel/internal/hosting"
)

// TestNode_SFTPBesideFTP: one account, an FTP and an SFTP session at once;
// both in the registry with their protocol; a kill request for one closes
// only that one, within 2 s; a file uploaded over SFTP reads back over FTP.
func TestNode_SFTPBesideFTP(t *testing.T) {
	n := MustStart(t)
	ctx := adminCtx()
	svc := n.Service()
	if _, _, err := svc.CreateCustomer(ctx, hosting.CustomerCreate{Login: "carol", Password: "Cust-pw-7788"}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.CreateSite(ctx, hosting.SiteCreate{Name: "both.example", Customer: "carol", MainLogin: "bothmain",
		MainPassword: "Both-pw-4455"}); err != nil {
		t.Fatal(err)
	}
	if n.SFTPAddr() == "" || len(n.SFTPHostKeys()) != 2 {
		t.Fatalf("SFTP %q, host keys %v", n.SFTPAddr(), n.SFTPHostKeys())
	}
	fc, err := ftp.Dial(n.FTPAddr(), ftp.DialWithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Quit()
	if err := fc.Login("bothmain", "Both-pw-4455"); err != nil {
		t.Fatal(err)
	}
	sshc, err := ssh.Dial("tcp", n.SFTPAddr(), &ssh.ClientConfig{User: "bothmain",
		Auth: []ssh.AuthMethod{ssh.Password("Both-pw-4455")}, HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec // test against our own server
		Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sshc.Close()
	sc, err := sftp.NewClient(sshc)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	w, err := sc.Create("/httpdocs/via-sftp.txt")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("written over SFTP"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := fc.Retr("/httpdocs/via-sftp.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "written over SFTP" {
		t.Fatalf("FTP reads %q", b)
	}

	byProto := map[string]*hosting.Session{}
	for deadline := time.Now().Add(3 * time.Second); len(byProto) < 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		list, err := svc.Sessions(ctx, hosting.SessionFilter{})
		if err != nil {
			t.Fatal(err)
		}
		clear(byProto)
		for _, x := range list {
			byProto[x.Protocol] = x
		}
	}
	if byProto["ftp"] == nil || byProto["sftp"] == nil || byProto["sftp"].Node != "test1" {
		t.Fatalf("sessions by protocol: %v", byProto)
	}
	// Kill the SFTP one: FTP stays.
	if err := svc.KillSession(ctx, byProto["sftp"].ID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		if _, err := sc.Getwd(); err != nil {
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatal("SFTP session still open 2 s after the kill")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("SFTP session closed %s after the kill", time.Since(start).Round(time.Millisecond))
	time.Sleep(time.Second) // two sync rounds of both servers
	if err := fc.NoOp(); err != nil {
		t.Fatalf("FTP session closed by the SFTP kill: %v", err)
	}
	list, _ := svc.Sessions(ctx, hosting.SessionFilter{})
	if len(list) != 1 || list[0].Protocol != "ftp" {
		t.Fatalf("after the SFTP kill: %+v", list)
	}
	var buf bytes.Buffer
	if err := fc.Stor("/httpdocs/after.txt", &buf); err != nil {
		t.Fatalf("FTP after the SFTP kill: %v", err)
	}
}
