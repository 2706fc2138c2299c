package sftpd

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// Host key files created in the data folder on first start.
const (
	HostKeyEd25519 = "ssh_host_ed25519_key"
	HostKeyRSA     = "ssh_host_rsa_key"
	rsaHostBits    = 3072
)

// LoadOrCreateHostKeys loads the ed25519 and RSA host keys from dir,
// creating the missing ones (OpenSSH private key format, mode 0600, the
// folder 0700). Every node of a cluster must use the same keys: copy the
// files, or set sftp.host_key_files.
func LoadOrCreateHostKeys(dir string) ([]ssh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sftpd: host key folder: %w", err)
	}
	var out []ssh.Signer
	for _, name := range []string{HostKeyEd25519, HostKeyRSA} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if err := createHostKey(path, name); err != nil {
				return nil, err
			}
		}
		s, err := loadHostKey(path)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// LoadHostKeys loads host keys from files in OpenSSH or PEM form
// (unencrypted). RSA keys need 3072 bits or more.
func LoadHostKeys(paths []string) ([]ssh.Signer, error) {
	if len(paths) == 0 {
		return nil, errors.New("sftpd: no host key file")
	}
	var out []ssh.Signer
	for _, p := range paths {
		s, err := loadHostKey(p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func createHostKey(path, name string) error {
	var key crypto.Signer
	var err error
	if name == HostKeyEd25519 {
		_, key, err = ed25519.GenerateKey(rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, rsaHostBits)
	}
	if err != nil {
		return fmt.Errorf("sftpd: generate host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(key, "ftpanel host key")
	if err != nil {
		return fmt.Errorf("sftpd: encode host key: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+name+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("sftpd: write host key: %w", err)
	}
	tmp := f.Name()
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("sftpd: write host key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sftpd: write host key: %w", err)
	}
	// Link, not rename: a node starting at the same moment keeps its key.
	err = os.Link(tmp, path)
	os.Remove(tmp)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sftpd: write host key: %w", err)
	}
	pub, err := ssh.NewPublicKey(key.Public())
	if err == nil {
		err = os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(pub), 0o644)
	}
	if err != nil {
		return fmt.Errorf("sftpd: write host public key: %w", err)
	}
	return nil
}

// loadHostKey reads a private key; RSA keys sign with rsa-sha2-512 and
// rsa-sha2-256 only (never SHA-1 ssh-rsa).
func loadHostKey(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sftpd: host key: %w", err)
	}
	s, err := ssh.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("sftpd: host key %s: %w", path, err)
	}
	switch s.PublicKey().Type() {
	case ssh.KeyAlgoRSA:
		ck, ok := s.PublicKey().(ssh.CryptoPublicKey)
		if !ok {
			return nil, fmt.Errorf("sftpd: host key %s: unreadable RSA key", path)
		}
		if rk, ok := ck.CryptoPublicKey().(*rsa.PublicKey); !ok || rk.N.BitLen() < rsaHostBits {
			return nil, fmt.Errorf("sftpd: host key %s: RSA host keys need %d bits or more", path, rsaHostBits)
		}
		as, ok := s.(ssh.AlgorithmSigner)
		if !ok {
			return nil, fmt.Errorf("sftpd: host key %s: cannot choose the RSA signature algorithm", path)
		}
		ms, err := ssh.NewSignerWithAlgorithms(as, []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256})
		if err != nil {
			return nil, fmt.Errorf("sftpd: host key %s: %w", path, err)
		}
		return ms, nil
	case "ssh-dss": // DSA (ssh.InsecureKeyAlgoDSA, deprecated)
		return nil, fmt.Errorf("sftpd: host key %s: DSA keys are not accepted", path)
	}
	return s, nil
}

// Fingerprints returns the SHA256 fingerprints of keys, as OpenSSH shows
// them ("ssh-ed25519 SHA256:...").
func Fingerprints(keys []ssh.Signer) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.PublicKey().Type() + " " + ssh.FingerprintSHA256(k.PublicKey())
	}
	return out
}
