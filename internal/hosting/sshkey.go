package hosting

import (
	"crypto/rsa"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// ViaSFTP marks requests made by the SFTP server.
const ViaSFTP Via = "sftp"

// SSHKey is an SSH public key that may log in to an FTP account over SFTP.
type SSHKey struct {
	ID           int64      `json:"id"`
	AccountID    int64      `json:"account_id"`
	AccountLogin string     `json:"login"`       // filled by the store
	CustomerID   int64      `json:"customer_id"` // filled by the store
	Type         string     `json:"type"`        // e.g. "ssh-ed25519"
	PublicKey    string     `json:"public_key"`  // "type base64", without options or comment
	Fingerprint  string     `json:"fingerprint"` // "SHA256:..." as OpenSSH prints it
	Comment      string     `json:"comment"`
	CreatedAt    time.Time  `json:"created_at"`
	LastUsedAt   *time.Time `json:"last_used_at,omitempty"`
}

const (
	maxAuthorizedKey = 16 << 10
	minRSABits       = 2048
)

// allowedKeyTypes are the public key algorithms accepted for logins: no
// DSA, no certificates.
var allowedKeyTypes = map[string]bool{
	ssh.KeyAlgoED25519:    true,
	ssh.KeyAlgoSKED25519:  true,
	ssh.KeyAlgoECDSA256:   true,
	ssh.KeyAlgoECDSA384:   true,
	ssh.KeyAlgoECDSA521:   true,
	ssh.KeyAlgoSKECDSA256: true,
	ssh.KeyAlgoRSA:        true, // the key type; signatures must be rsa-sha2-256/512
}

// ParseSSHKey checks one public key in authorized_keys form ("type
// base64 [comment]", no options) and returns it with its type,
// fingerprint and comment set. Errors: invalid_input with field
// "public_key".
func ParseSSHKey(line string) (*SSHKey, error) {
	bad := func(format string, args ...any) error {
		return FieldErrorf(CodeInvalidInput, "public_key", format, args...)
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, bad("the public key is empty")
	}
	// Common mistakes, each with what to do instead (the message never
	// quotes the text: it may be a private key).
	switch {
	case strings.Contains(line, "PRIVATE KEY-----") || strings.HasPrefix(line, "PuTTY-User-Key-File-"):
		return nil, bad("this is a private key, which must stay secret (it was not stored): give the public key " +
			"instead, the one line of the .pub file, e.g. ~/.ssh/id_ed25519.pub")
	case strings.HasPrefix(line, "ssh-dss ") || strings.HasPrefix(line, "ssh-dss\t"):
		// x/crypto/ssh no longer parses DSA keys: say what is wrong.
		return nil, bad("key type ssh-dss (DSA) is not accepted (use ssh-ed25519, ecdsa-sha2-* or ssh-rsa of %d bits or more)", minRSABits)
	case strings.HasPrefix(line, "---- BEGIN SSH2 PUBLIC KEY ----"):
		return nil, bad("this key is in the SSH2 (RFC 4716) form: give it in OpenSSH form instead, one line starting " +
			"with ssh-ed25519, ecdsa-sha2-… or ssh-rsa (PuTTYgen shows it as “Public key for pasting into OpenSSH authorized_keys file”)")
	}
	if len(line) > maxAuthorizedKey {
		return nil, bad("the public key is longer than %d bytes", maxAuthorizedKey)
	}
	if strings.ContainsAny(line, "\r\n") {
		return nil, bad("give one public key, on one line")
	}
	pk, comment, options, rest, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return nil, bad("not an SSH public key (want e.g. \"ssh-ed25519 AAAA... comment\")")
	}
	if len(options) > 0 {
		return nil, bad("authorized_keys options (%s) are not supported", strings.Join(options, ","))
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, bad("give one public key, on one line")
	}
	typ := pk.Type()
	if !allowedKeyTypes[typ] {
		return nil, bad("key type %s is not accepted (use ssh-ed25519, ecdsa-sha2-* or ssh-rsa of %d bits or more)", typ, minRSABits)
	}
	if typ == ssh.KeyAlgoRSA {
		ck, ok := pk.(ssh.CryptoPublicKey)
		if !ok {
			return nil, bad("unreadable RSA key")
		}
		rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey)
		if !ok || rk.N.BitLen() < minRSABits {
			return nil, bad("RSA keys need %d bits or more", minRSABits)
		}
	}
	if err := checkText("comment", comment, 200); err != nil {
		return nil, err
	}
	return &SSHKey{Type: typ, PublicKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))),
		Fingerprint: ssh.FingerprintSHA256(pk), Comment: comment}, nil
}
