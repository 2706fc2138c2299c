package node

import (
	"crypto/tls"
	"fmt"
)

type tlsConfig = tls.Config

// loadKeyPair loads a configured certificate for the FTP server.
func loadKeyPair(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("node: load certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
