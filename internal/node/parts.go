package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"ftpanel/internal/api"
	"ftpanel/internal/ftpd"
	"ftpanel/internal/hestia"
	"ftpanel/internal/homefs"
	"ftpanel/internal/plesk"
	"ftpanel/internal/sftpd"
	"ftpanel/internal/web"
)

// extraParts holds the FTP and SFTP servers and what the protocols share.
type extraParts struct {
	ftp  *ftpd.Server
	sftp *sftpd.Server // nil when sftp.listen is empty
	// usages is the node's quota pools: FTP, SFTP and the file manager
	// charge one pool per account.
	usages *homefs.Usages
	scan   usageScan // usage.go
}

// startParts starts the FTP and SFTP servers, then mounts the panel and
// the APIs on mux (they show the servers' addresses and the SFTP host
// keys, so the servers bind first).
func (n *Node) startParts(ctx context.Context, mux *http.ServeMux) error {
	cfg := n.cfg
	lo, hi, _ := cfg.PassiveRange()
	umask, _ := cfg.UmaskMode()
	n.extra.usages = homefs.NewUsages()
	n.startUsage()
	fc := ftpd.Config{
		Usages:     n.extra.usages,
		ListenAddr: cfg.FTP.Listen, PassivePorts: [2]int{lo, hi}, PublicHost: cfg.FTP.PublicHost,
		PassiveListen: cfg.FTP.PassiveListen,
		TLS:           ftpd.TLSMode(cfg.FTP.TLS), Node: cfg.NodeID(), IdleTimeout: cfg.FTP.IdleTimeout.Duration,
		MaxClients: cfg.FTP.MaxClients, MaxClientsPerIP: cfg.FTP.MaxClientsPerIP,
		MaxSessionsPerAccount: cfg.FTP.MaxSessionsPerAccount, Umask: umask,
		FailDelay: cfg.FTP.FailDelay.Duration, GraceTimeout: cfg.FTP.GraceTimeout.Duration,
	}
	if fc.FailDelay == 0 {
		fc.FailDelay = time.Nanosecond // 0 means "default" to ftpd; the config said no delay
	}
	if fc.TLS != ftpd.TLSOff {
		tc, err := n.tlsConfig()
		if err != nil {
			return err
		}
		fc.TLSConfig = tc
	}
	srv, err := ftpd.New(n.svc, fc, n.log.With("component", "ftpd"))
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if err := srv.Start(ctx); err != nil {
		return fmt.Errorf("node: ftp: %w", err)
	}
	n.extra.ftp = srv
	n.reg.MustRegister(srv.Collectors()...)

	if err := n.startSFTP(ctx); err != nil {
		return err
	}

	host, port := n.connectHost(srv.Addr())
	sftpPort, hostKeys := n.sftpConnect()
	log := n.log.With("component", "http")
	mux.Handle("/api/v1/", api.NewHandler(n.svc, api.Options{Logger: log, FTPHost: host, FTPPort: port,
		SFTPPort: sftpPort, SFTPHostKeys: hostKeys}))
	mux.Handle(plesk.Path, plesk.NewHandler(n.svc, plesk.Options{Logger: log}))
	hh := hestia.NewHandler(n.svc, hestia.Options{Logger: log})
	mux.Handle("/api/{$}", hh)
	mux.Handle("/api/index.php", hh)
	wh, err := web.NewHandler(n.svc, web.Options{Logger: log, FTPHost: host, FTPPort: port,
		SFTPPort: sftpPort, SFTPHostKeys: hostKeys,
		SecureCookies: cfg.HTTP.SecureCookies || cfg.HTTP.CertFile != "", FileManagerURL: cfg.Panel.FileManagerURL,
		Usages: n.extra.usages, Umask: &umask, // the file manager charges the same pools as FTP
		Require2FAForAdmins: cfg.Panel.Require2FAForAdmins, SimpleHome: cfg.Panel.SimpleHome})
	if err != nil {
		return fmt.Errorf("node: web: %w", err)
	}
	mux.Handle("/", wh)
	return nil
}

// tlsConfig loads the configured certificate or the self-signed one in
// the data folder (created on first start).
func (n *Node) tlsConfig() (*tlsConfig, error) {
	if n.cfg.FTP.CertFile != "" {
		return loadKeyPair(n.cfg.FTP.CertFile, n.cfg.FTP.KeyFile)
	}
	hosts := []string{"localhost", "127.0.0.1"}
	if h, _, err := net.SplitHostPort(n.cfg.FTP.Listen); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	if n.cfg.FTP.PublicHost != "" {
		hosts = append(hosts, n.cfg.FTP.PublicHost)
	}
	tc, err := ftpd.LoadOrCreateCert(filepath.Join(n.cfg.Data, "tls"), hosts)
	if err != nil {
		return nil, fmt.Errorf("node: certificate: %w", err)
	}
	return tc, nil
}

func (n *Node) closeParts() error {
	n.stopUsage()
	grace := n.cfg.FTP.GraceTimeout.Duration
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	// Both servers drain in parallel, within one grace period.
	sftpErr := make(chan error, 1)
	go func() { sftpErr <- n.closeSFTP(ctx) }()
	var err error
	if n.extra.ftp != nil {
		if e := n.extra.ftp.Shutdown(ctx); e != nil {
			err = fmt.Errorf("node: ftp shutdown: %w", e)
		}
		n.extra.ftp = nil
	}
	return errors.Join(err, <-sftpErr)
}

// FTPAddr returns the FTP server's bound address.
func (n *Node) FTPAddr() string {
	if n.extra.ftp == nil {
		return ""
	}
	return n.extra.ftp.Addr()
}
