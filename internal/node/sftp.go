package node

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/sftpd"
)

// startSFTP starts the SFTP server when sftp.listen is set, with the
// configured host keys or those generated in <data>/ssh.
func (n *Node) startSFTP(ctx context.Context) error {
	cfg := n.cfg
	if cfg.SFTP.Listen == "" {
		return nil
	}
	var keys []ssh.Signer
	var err error
	if len(cfg.SFTP.HostKeyFiles) > 0 {
		keys, err = sftpd.LoadHostKeys(cfg.SFTP.HostKeyFiles)
	} else {
		keys, err = sftpd.LoadOrCreateHostKeys(filepath.Join(cfg.Data, "ssh"))
	}
	if err != nil {
		return fmt.Errorf("node: sftp host keys: %w", err)
	}
	umask, _ := cfg.UmaskMode()
	sc := sftpd.Config{
		ListenAddr: cfg.SFTP.Listen, HostKeys: keys, Node: cfg.NodeID(), IdleTimeout: cfg.SFTP.IdleTimeout.Duration,
		MaxClients: cfg.SFTP.MaxClients, MaxClientsPerIP: cfg.SFTP.MaxClientsPerIP,
		MaxSessionsPerAccount: cfg.SFTP.MaxSessionsPerAccount, Umask: umask, Usages: n.extra.usages, Ciphers: cfg.SFTP.Ciphers,
		FailDelay: cfg.FTP.FailDelay.Duration, GraceTimeout: cfg.FTP.GraceTimeout.Duration,
		Defender: sftpd.DefenderConfig{MaxFailures: cfg.Defender.MaxFailures, Window: cfg.Defender.Window.Duration,
			BanTime: cfg.Defender.BanTime.Duration, MaxBanTime: cfg.Defender.MaxBanTime.Duration},
	}
	if sc.FailDelay == 0 {
		sc.FailDelay = time.Nanosecond // 0 means "default" to sftpd; the config said no delay
	}
	srv, err := sftpd.New(n.svc, sc, n.log.With("component", "sftpd"))
	if err != nil {
		return fmt.Errorf("node: %w", err)
	}
	if err := srv.Start(ctx); err != nil {
		return fmt.Errorf("node: sftp: %w", err)
	}
	n.extra.sftp = srv
	return nil
}

func (n *Node) closeSFTP(ctx context.Context) error {
	if n.extra.sftp == nil {
		return nil
	}
	err := n.extra.sftp.Shutdown(ctx)
	n.extra.sftp = nil
	if err != nil {
		return fmt.Errorf("node: sftp shutdown: %w", err)
	}
	return nil
}

// SFTPAddr returns the SFTP server's bound address ("" when off).
func (n *Node) SFTPAddr() string {
	if n.extra.sftp == nil {
		return ""
	}
	return n.extra.sftp.Addr()
}

// sftpConnect returns the SFTP port users connect to (the bound port, at
// the same host as FTP) and the host keys' fingerprints; 0 and nil when
// SFTP is off.
func (n *Node) sftpConnect() (int, []string) {
	addr := n.SFTPAddr()
	if addr == "" {
		return 0, nil
	}
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, nil
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return 0, nil
	}
	return port, n.SFTPHostKeys()
}

// SFTPHostKeys returns the SFTP host keys' fingerprints ("ssh-ed25519
// SHA256:..."), nil when SFTP is off.
func (n *Node) SFTPHostKeys() []string {
	if n.extra.sftp == nil {
		return nil
	}
	return n.extra.sftp.HostKeyFingerprints()
}
