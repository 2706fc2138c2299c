package sftpd

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// AllowedCiphers are the encryption algorithms sftp.ciphers may name:
// the AEAD ciphers and AES-CTR (with the encrypt-then-MAC SHA-2 MACs; for
// libssh2 before 1.11, e.g. curl's, which has no AEAD cipher). No CBC,
// no arcfour, no 3DES.
var AllowedCiphers = []string{ssh.CipherChaCha20Poly1305, ssh.CipherAES128GCM, ssh.CipherAES256GCM,
	ssh.CipherAES128CTR, ssh.CipherAES192CTR, ssh.CipherAES256CTR}

// DefaultCiphers returns the encryption algorithms offered when
// sftp.ciphers is not set. The client picks the first of its own list
// that the server offers, so the order here does not matter to it.
func DefaultCiphers() []string {
	return []string{ssh.CipherChaCha20Poly1305, ssh.CipherAES256GCM, ssh.CipherAES128GCM,
		ssh.CipherAES256CTR, ssh.CipherAES192CTR, ssh.CipherAES128CTR}
}

// CheckCiphers reports the first name of list that is not an allowed
// cipher, or a name given twice.
func CheckCiphers(list []string) error {
	for i, c := range list {
		if !slices.Contains(AllowedCiphers, c) {
			return fmt.Errorf("cipher %q is not supported (use %s)", c, strings.Join(AllowedCiphers, ", "))
		}
		if slices.Contains(list[:i], c) {
			return fmt.Errorf("cipher %q is listed twice", c)
		}
	}
	return nil
}
