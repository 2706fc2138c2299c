package node

import (
	"context"
	"net/http"
)

// extraParts holds the FTP server and the HTTP adapters as they are wired.
type extraParts struct{}

func (n *Node) startParts(ctx context.Context, mux *http.ServeMux) error { return nil }

func (n *Node) closeParts() error { return nil }

// FTPAddr returns the FTP server's bound address.
func (n *Node) FTPAddr() string { return "" }
