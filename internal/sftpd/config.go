package sftpd

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"ftpanel/internal/homefs"
)

// DefenderConfig sets when an address is banned: MaxFailures failed logins
// within Window ban it for BanTime, doubled for each earlier ban of the
// address, up to MaxBanTime. The same values as the FTP server's.
type DefenderConfig struct {
	MaxFailures int           // default 5
	Window      time.Duration // default 60s
	BanTime     time.Duration // default 15m
	MaxBanTime  time.Duration // default 24h
}

func (c *DefenderConfig) setDefaults() {
	if c.MaxFailures <= 0 {
		c.MaxFailures = 5
	}
	if c.Window <= 0 {
		c.Window = time.Minute
	}
	if c.BanTime <= 0 {
		c.BanTime = 15 * time.Minute
	}
	if c.MaxBanTime <= 0 {
		c.MaxBanTime = 24 * time.Hour
	}
	if c.MaxBanTime < c.BanTime {
		c.MaxBanTime = c.BanTime
	}
}

// banDuration is the length of the ban after strikes earlier bans.
func (c DefenderConfig) banDuration(strikes int) time.Duration {
	d := c.BanTime
	for i := 0; i < strikes && d < c.MaxBanTime; i++ {
		d *= 2
	}
	return min(d, c.MaxBanTime)
}

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	ListenAddr string       // e.g. "127.0.0.1:2222"; ":0" picks a free port
	HostKeys   []ssh.Signer // required: see LoadOrCreateHostKeys and LoadHostKeys
	Node       string       // node id, prefix of session ids; default "node1"
	// IdleTimeout closes a connection with no SFTP request for this long
	// (default 300s); LoginTimeout bounds the handshake and the
	// authentication (default 30s).
	IdleTimeout, LoginTimeout time.Duration
	// MaxClients, MaxClientsPerIP and MaxSessionsPerAccount limit
	// connections in all, connections per address and logged-in sessions
	// per account (defaults 2000, 50, 20). Per address and per account
	// count the sessions of every protocol in the registry.
	MaxClients, MaxClientsPerIP, MaxSessionsPerAccount int
	Umask                                              fs.FileMode // 0 means the default 022
	// FailDelay is how long a failed password waits before its answer
	// (default 1s).
	FailDelay time.Duration
	Defender  DefenderConfig
	// SyncInterval is how often sessions are written to the registry and
	// kill requests are read (default 500ms).
	SyncInterval time.Duration
	QuotaRescan  time.Duration  // how often usage is measured again (default 10m)
	GraceTimeout time.Duration  // Shutdown's grace period when its ctx has no deadline (default 30s)
	Usages       *homefs.Usages // the node's quota pools, shared with FTP; nil = the server's own
	// Ciphers are the encryption algorithms offered, in order; nil takes
	// DefaultCiphers. Each must be one of AllowedCiphers.
	Ciphers []string
}

func (c *Config) setDefaults() {
	if c.Node == "" {
		c.Node = "node1"
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 300 * time.Second
	}
	if c.LoginTimeout <= 0 {
		c.LoginTimeout = 30 * time.Second
	}
	if c.MaxClients <= 0 {
		c.MaxClients = 2000
	}
	if c.MaxClientsPerIP <= 0 {
		c.MaxClientsPerIP = 50
	}
	if c.MaxSessionsPerAccount <= 0 {
		c.MaxSessionsPerAccount = 20
	}
	if c.Umask == 0 {
		c.Umask = 0o022
	}
	if c.FailDelay == 0 {
		c.FailDelay = time.Second
	}
	if c.SyncInterval <= 0 {
		c.SyncInterval = 500 * time.Millisecond
	}
	if c.QuotaRescan <= 0 {
		c.QuotaRescan = 10 * time.Minute
	}
	if c.GraceTimeout <= 0 {
		c.GraceTimeout = 30 * time.Second
	}
	if len(c.Ciphers) == 0 {
		c.Ciphers = DefaultCiphers()
	}
	c.Defender.setDefaults()
}

func (c *Config) validate() error {
	if len(c.HostKeys) == 0 {
		return errors.New("sftpd: no host key")
	}
	for _, k := range c.HostKeys {
		if !hostKeyTypes[k.PublicKey().Type()] {
			return fmt.Errorf("sftpd: host key type %s is not accepted (use ssh-ed25519, ecdsa or RSA of 3072 bits or more)", k.PublicKey().Type())
		}
	}
	if err := CheckCiphers(c.Ciphers); err != nil {
		return fmt.Errorf("sftpd: %w", err)
	}
	if c.Umask&^0o777 != 0 {
		return fmt.Errorf("sftpd: umask %o is invalid", c.Umask)
	}
	if strings.ContainsAny(c.Node, " \t\r\n") {
		return fmt.Errorf("sftpd: node id %q contains spaces", c.Node)
	}
	return nil
}

// The algorithms offered: modern only. No SHA-1 anywhere (no ssh-rsa
// signatures, no hmac-sha1, no diffie-hellman-*-sha1), no DSA, no CBC.
var (
	keyExchanges = []string{ssh.KeyExchangeMLKEM768X25519, ssh.KeyExchangeCurve25519, "curve25519-sha256@libssh.org",
		ssh.KeyExchangeECDHP256, ssh.KeyExchangeECDHP384, ssh.KeyExchangeECDHP521}
	// Encrypt-then-MAC first; the plain SHA-2 MACs for libssh2 before 1.11 (curl).
	macs = []string{ssh.HMACSHA256ETM, ssh.HMACSHA512ETM, ssh.HMACSHA256, ssh.HMACSHA512}
	// userKeyAlgos are the signature algorithms accepted from clients.
	userKeyAlgos = []string{ssh.KeyAlgoED25519, ssh.KeyAlgoSKED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384,
		ssh.KeyAlgoECDSA521, ssh.KeyAlgoSKECDSA256, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	hostKeyTypes = map[string]bool{ssh.KeyAlgoED25519: true, ssh.KeyAlgoRSA: true, ssh.KeyAlgoECDSA256: true,
		ssh.KeyAlgoECDSA384: true, ssh.KeyAlgoECDSA521: true}
)
