// Command ftpanel manages and serves the FTP accounts of hosted web sites:
// FTP server, web panel, REST, Plesk- and HestiaCP-compatible APIs, and
// this command line. See `ftpanel --help` and README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"ftpanel/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
