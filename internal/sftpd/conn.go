package sftpd

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"ftpanel/internal/homefs"
	"ftpanel/internal/hosting"
)

// maxChannels bounds the session channels open at once on a connection.
const maxChannels = 4

// Messages written to the client's stderr when it asks for more than SFTP.
const (
	msgOnlySFTP = "This server offers SFTP only: shell and command execution are refused. " +
		"Use an SFTP client (sftp, or scp without -O).\r\n"
	msgForward = "This server offers SFTP only: port forwarding is refused."
	msgAgent   = "This server offers SFTP only: agent and X11 forwarding are refused.\r\n"
)

// conn is one SSH connection, from accept to close; after a successful
// login it is also the session shown in the registry.
type conn struct {
	s       *Server
	nc      *coalescingConn // the TCP connection, under the SSH transport
	id      string          // "<node>-s<n>"
	ip      netip.Addr
	remote  string
	started time.Time

	// Set during authentication, by the handshake goroutine.
	keyRejected bool // a public key was refused (counted once, if no login follows)
	pwFailed    bool // a wrong password was counted already

	// Set once after login, under Server.mu.
	acct   *hosting.Account
	fs     *homefs.FS
	usage  *homefs.Usage
	sc     *ssh.ServerConn
	method string // "password" or "publickey"
	client string

	closing    atomic.Bool
	lastActive atomic.Int64 // unix ns of the last SFTP request
	openFiles  atomic.Int64 // files open (transfers in progress)
	bytesIn    atomic.Int64
	bytesOut   atomic.Int64

	mu       sync.Mutex
	command  string // last request, e.g. "Put /a.zip"
	transfer string // current transfer, e.g. "upload /a.zip"

	reg hosting.RegistryEntry // owned by the sync loop
}

type acctKey struct{}

// run serves the connection until it ends.
func (c *conn) run() {
	s := c.s
	defer s.release(c)
	defer c.nc.Close()
	cfg := s.base // a copy, with callbacks bound to this connection
	cfg.PasswordCallback = c.password
	cfg.PublicKeyCallback = c.publicKey
	_ = c.nc.SetDeadline(time.Now().Add(s.cfg.LoginTimeout))
	sc, chans, reqs, err := ssh.NewServerConn(c.nc, &cfg)
	if err != nil {
		if c.keyRejected && !c.pwFailed {
			// Offered keys were all refused and no password followed.
			s.failed(c, "", "publickey", hosting.Errorf(hosting.CodeUnauthorized, "public key refused"), false)
		}
		s.log.Debug("handshake", "remote", c.remote, "err", err)
		return
	}
	_ = c.nc.SetDeadline(time.Time{})
	defer sc.Close()
	a, _ := sc.Permissions.ExtraData[acctKey{}].(*hosting.Account)
	if a == nil {
		return
	}
	if !c.login(sc, a) {
		return
	}
	defer c.logout()
	go ssh.DiscardRequests(reqs) // global requests (tcpip-forward...): refused
	var wg sync.WaitGroup
	var open atomic.Int32
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.Prohibited, msgForward)
			continue
		}
		if open.Load() >= maxChannels {
			_ = nch.Reject(ssh.ResourceShortage, "too many channels")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		open.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer open.Add(-1)
			c.session(ch, creqs)
		}()
	}
	c.kill("") // the client closed: end the channels too
	wg.Wait()
}

// password is the ssh.ServerConfig.PasswordCallback.
func (c *conn) password(md ssh.ConnMetadata, pass []byte) (*ssh.Permissions, error) {
	s := c.s
	if s.banned(c.ip) {
		return nil, errBanned
	}
	s.authSem <- struct{}{}
	a, err := s.svc.AuthenticateFTP(s.actx, md.User(), string(pass), c.ip)
	<-s.authSem
	if err != nil {
		c.pwFailed = c.pwFailed || hosting.ErrorCode(err) == hosting.CodeUnauthorized
		return nil, s.failed(c, md.User(), "password", err, true)
	}
	if err := c.underLimit(a); err != nil {
		return nil, err
	}
	c.method = "password"
	return &ssh.Permissions{ExtraData: map[any]any{acctKey{}: a}}, nil
}

// publicKey is the ssh.ServerConfig.PublicKeyCallback; the signature is
// checked by the ssh package afterwards.
func (c *conn) publicKey(md ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	s := c.s
	if s.banned(c.ip) {
		return nil, errBanned
	}
	a, err := s.svc.AuthenticateSSHKey(s.actx, md.User(), key, c.ip)
	if err != nil {
		if hosting.ErrorCode(err) == hosting.CodeUnauthorized {
			c.keyRejected = true
			s.log.Info("public key refused", "session", c.id, "login", clip(md.User()), "remote", c.remote,
				"key", ssh.FingerprintSHA256(key))
			return nil, errLoginFailed
		}
		return nil, s.failed(c, md.User(), "publickey", err, false)
	}
	if err := c.underLimit(a); err != nil {
		return nil, err
	}
	c.method = "publickey"
	return &ssh.Permissions{ExtraData: map[any]any{acctKey{}: a}}, nil
}

// underLimit refuses a login beyond the per-account limit during the
// authentication already, so that the client hears a refusal (login
// checks it again, atomically).
func (c *conn) underLimit(a *hosting.Account) error {
	s := c.s
	s.mu.Lock()
	n := s.perAccount[a.ID] + s.otherAccount[a.ID]
	s.mu.Unlock()
	if n >= s.cfg.MaxSessionsPerAccount {
		s.log.Info("login refused: too many sessions", "session", c.id, "login", a.Login, "remote", c.remote)
		return errTooMany
	}
	return nil
}

var (
	errTooMany     = errors.New("too many sessions for the account")
	errBanned      = errors.New("address banned")
	errLoginFailed = errors.New("wrong login, password or key")
)

// failed logs a failed login, feeds the defender (wrong credentials
// only), waits FailDelay when wait is set, and returns the error for the
// ssh package (never shown to the client, which only learns that the
// method failed).
func (s *Server) failed(c *conn, user, method string, err error, wait bool) error {
	s.met.logins.WithLabelValues(method, "failed").Inc()
	code := hosting.ErrorCode(err)
	switch code {
	case hosting.CodeUnauthorized, hosting.CodeSuspended, hosting.CodeForbidden:
	default:
		s.log.Error("login", "login", clip(user), "remote", c.remote, "err", err)
	}
	s.log.Info("login failed", "session", c.id, "login", clip(user), "remote", c.remote, "reason", string(code))
	now := time.Now()
	// Wrong passwords are counted (and their address banned) by the
	// service's guard, shared by every interface; only refused keys, which
	// the guard does not see, are counted here.
	if code == hosting.CodeUnauthorized && method == "publickey" && s.def.fail(c.ip, now) {
		s.ban(c.ip, now)
	}
	if wait {
		t := time.NewTimer(s.cfg.FailDelay)
		select {
		case <-t.C:
		case <-s.done:
			t.Stop()
		}
	}
	return errLoginFailed
}

// login makes an authenticated connection a session: the per-account
// limit, the home opened through homefs, the quota pool.
func (c *conn) login(sc *ssh.ServerConn, a *hosting.Account) bool {
	s := c.s
	s.mu.Lock()
	if s.shutting {
		s.mu.Unlock()
		return false
	}
	if s.perAccount[a.ID]+s.otherAccount[a.ID] >= s.cfg.MaxSessionsPerAccount {
		s.mu.Unlock()
		s.log.Info("login refused: too many sessions", "session", c.id, "login", a.Login, "remote", c.remote)
		return false
	}
	s.perAccount[a.ID]++
	s.mu.Unlock()
	undo := func() {
		s.mu.Lock()
		if s.perAccount[a.ID] <= 1 {
			delete(s.perAccount, a.ID)
		} else {
			s.perAccount[a.ID]--
		}
		s.mu.Unlock()
	}
	root, err := homefs.OpenRoot(a.SiteRoot, a.Home)
	if err != nil {
		undo()
		s.log.Error("login: cannot open the home folder", "session", c.id, "login", a.Login, "err", err)
		return false
	}
	u := s.usages.Acquire(a)
	uid, gid := -1, -1
	if s.chown && a.SiteUID >= 0 && a.SiteGID >= 0 {
		uid, gid = a.SiteUID, a.SiteGID
	}
	f := homefs.New(root, homefs.Options{Read: a.Read, Write: a.Write, Umask: s.cfg.Umask, UID: uid, GID: gid,
		Usage: u, Observer: c, Logger: s.log})
	s.mu.Lock()
	c.acct, c.fs, c.usage, c.sc, c.client = a, f, u, sc, clip(string(sc.ClientVersion()))
	s.mu.Unlock()
	c.lastActive.Store(time.Now().UnixNano())
	s.met.logins.WithLabelValues(c.method, "ok").Inc()
	s.met.sessions.Inc()
	s.log.Info("login", "session", c.id, "login", a.Login, "site", a.SiteName, "remote", c.remote,
		"method", c.method, "read", a.Read, "write", a.Write, "client", c.client)
	return true
}

// logout releases the session's file system and quota pool.
func (c *conn) logout() {
	c.s.met.sessions.Dec()
	c.fs.Close()
	c.s.usages.Release(c.usage)
	c.s.log.Info("logout", "session", c.id, "login", c.acct.Login, "remote", c.remote,
		"duration", time.Since(c.started).Round(time.Millisecond), "bytes_in", c.bytesIn.Load(), "bytes_out", c.bytesOut.Load())
}

// kill ends the connection from any goroutine: transfers stop and the
// SSH connection is closed. why "" is a normal end (not logged).
func (c *conn) kill(why string) {
	if c.closing.Swap(true) {
		return
	}
	c.s.mu.Lock()
	f, a := c.fs, c.acct
	c.s.mu.Unlock()
	if why != "" && a != nil {
		c.s.log.Info("session closed", "session", c.id, "login", a.Login, "remote", c.remote, "reason", why)
	}
	if f != nil {
		f.Kill()
	}
	_ = c.nc.Close()
}

// session serves one session channel: the sftp subsystem, or a clear
// refusal of anything else.
func (c *conn) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	served := false
	for req := range reqs {
		switch req.Type {
		case "subsystem":
			name := ""
			if n := len(req.Payload); n >= 4 && int(binary.BigEndian.Uint32(req.Payload)) == n-4 {
				name = string(req.Payload[4:])
			}
			if name != "sftp" || served {
				_ = req.Reply(false, nil)
				_, _ = ch.Stderr().Write([]byte("This server offers the sftp subsystem only.\r\n"))
				continue
			}
			served = true
			_ = req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			c.serveSFTP(ch)
			return
		case "shell", "exec":
			_ = req.Reply(true, nil)
			_, _ = ch.Stderr().Write([]byte(msgOnlySFTP))
			_, _ = ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 1))
			c.s.log.Info("refused", "session", c.id, "login", c.acct.Login, "remote", c.remote, "request", req.Type)
			return
		case "x11-req", "auth-agent-req@openssh.com":
			_, _ = ch.Stderr().Write([]byte(msgAgent))
			_ = req.Reply(false, nil)
		default: // pty-req, env, window-change, signal...
			_ = req.Reply(false, nil)
		}
	}
}

// serveSFTP runs pkg/sftp's request server over the channel.
func (c *conn) serveSFTP(ch ssh.Channel) {
	h := &handlers{c: c}
	rs := sftp.NewRequestServer(&replyWriter{Channel: ch, conn: c.nc}, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h},
		sftp.WithStartDirectory("/"), sftp.WithRSAllocator())
	if err := rs.Serve(); err != nil && !errors.Is(err, net.ErrClosed) {
		c.s.log.Debug("sftp serve", "session", c.id, "err", err)
	}
	// The client's end of input ends the subsystem: report success, as
	// sshd does (scp's exit status depends on it).
	_, _ = ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, 0))
	_ = rs.Close()
}

// touch records a request for the registry and the idle timeout.
func (c *conn) touch(cmd string) {
	c.lastActive.Store(time.Now().UnixNano())
	c.mu.Lock()
	c.command = clip(cmd)
	c.mu.Unlock()
}

// TransferStarted implements homefs.Observer.
func (c *conn) TransferStarted(op, name string) {
	c.openFiles.Add(1)
	c.mu.Lock()
	c.transfer = clip(op + " " + name)
	c.mu.Unlock()
}

// Transferred implements homefs.Observer.
func (c *conn) Transferred(in, out int64) {
	if in > 0 {
		c.bytesIn.Add(in)
		c.s.met.bytesIn.Add(float64(in))
	}
	if out > 0 {
		c.bytesOut.Add(out)
		c.s.met.bytesOut.Add(float64(out))
	}
	c.lastActive.Store(time.Now().UnixNano())
}

// TransferEnded implements homefs.Observer.
func (c *conn) TransferEnded(op, name string, n int64, d time.Duration, result string, err error) {
	c.openFiles.Add(-1)
	c.mu.Lock()
	c.transfer = ""
	c.mu.Unlock()
	c.lastActive.Store(time.Now().UnixNano())
	if result != "ok" {
		c.s.met.transferErrors.Inc()
	}
	args := []any{"session", c.id, "login", c.acct.Login, "remote", c.remote, "op", op, "path", name,
		"bytes", n, "duration", d.Round(time.Microsecond), "result", result}
	if err != nil {
		args = append(args, "err", err)
	}
	c.s.log.Info("transfer", args...)
}

// snapshot is the session as the registry shows it.
func (c *conn) snapshot(node string, now time.Time) hosting.Session {
	c.mu.Lock()
	cmd, transfer := c.command, c.transfer
	c.mu.Unlock()
	a := c.acct
	return hosting.Session{ID: c.id, Node: node, Protocol: hosting.ProtocolSFTP, AccountID: a.ID, Login: a.Login,
		SiteID: a.SiteID, SiteName: a.SiteName, CustomerID: a.CustomerID, RemoteAddr: c.remote, Client: c.client,
		TLS: true, StartedAt: c.started.UTC(), Command: cmd, Transfer: transfer, BytesIn: c.bytesIn.Load(),
		BytesOut: c.bytesOut.Load(), UpdatedAt: now.UTC()}
}

// clip bounds a client-supplied string for logs and the registry.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
