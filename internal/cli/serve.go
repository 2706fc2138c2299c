package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"ftpanel/internal/config"
	"ftpanel/internal/hosting"
	"ftpanel/internal/node"
)

// serveInfo is what serve prints once it listens (one JSON line with --json).
type serveInfo struct {
	PanelURL   string       `json:"panel_url"`
	FTPAddr    string       `json:"ftp_addr"`
	SFTPAddr   string       `json:"sftp_addr,omitempty"`      // "" when sftp.listen is empty
	HostKeys   []string     `json:"sftp_host_keys,omitempty"` // "ssh-ed25519 SHA256:..."
	Data       string       `json:"data"`
	FirstStart bool         `json:"first_start"`
	Admin      *credentials `json:"admin,omitempty"` // first start only
}

// serverGCPercent is the garbage collector's target for a server (Go's
// default is 100), unless GOGC is set. Transfers allocate steadily while
// the live heap stays small (30-50 MiB with 500 sessions), so the default
// collects very often: at 300, SFTP needed 10-12% less server CPU per GB
// (2026-12-03, 1 GiB each way with OpenSSH's sftp), for a heap up to four
// times the live one instead of twice.
const serverGCPercent = 300

// setServerGC applies serverGCPercent when the environment sets no GOGC.
func setServerGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(serverGCPercent)
	}
}

func (a *app) serveCommand() *cobra.Command {
	var ftpListen, sftpListen, httpListen, passive, publicHost string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the FTP and SFTP servers, the panel and the APIs",
		Long: `Run the FTP and SFTP servers, the web panel and the APIs until interrupted (SIGINT or
SIGTERM: open transfers get a grace period, then the store is closed).

The first start creates the data folder, an administrator "admin" with a
random password, a self-signed certificate for FTPS and the SFTP host keys
(in <data>/ssh), and prints the password once. Later starts print only the
addresses and the SFTP host key fingerprints.

Every config key has an FTPANEL_* environment override:
  ` + strings.Join(config.EnvNames(), "\n  "),
		Args: exactArgs(),
	}
	c.Flags().StringVar(&ftpListen, "ftp-listen", "", `FTP address, e.g. ":21" (default "127.0.0.1:2121"; config ftp.listen)`)
	c.Flags().StringVar(&sftpListen, "sftp-listen", "", `SFTP address, e.g. ":2222"; "" turns SFTP off (default "127.0.0.1:2222"; config sftp.listen)`)
	c.Flags().StringVar(&httpListen, "http-listen", "", `panel and API address (default "127.0.0.1:8080"; config http.listen)`)
	c.Flags().StringVar(&passive, "passive-ports", "", `passive data port range LO-HI, e.g. 30000-30100 (default any free port)`)
	c.Flags().StringVar(&publicHost, "public-host", "", "IPv4 address announced in passive replies (behind NAT)")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		cfg, err := a.config()
		if err != nil {
			return err
		}
		fl := cmd.Flags()
		if fl.Changed("ftp-listen") {
			cfg.FTP.Listen = ftpListen
		}
		if fl.Changed("sftp-listen") {
			cfg.SFTP.Listen = sftpListen
		}
		if fl.Changed("http-listen") {
			cfg.HTTP.Listen = httpListen
		}
		if fl.Changed("passive-ports") {
			cfg.FTP.PassivePorts = passive
		}
		if fl.Changed("public-host") {
			cfg.FTP.PublicHost = publicHost
		}
		if err := cfg.Validate(); err != nil {
			return &hosting.Error{Code: hosting.CodeInvalidInput, Field: "config", Message: err.Error(), Op: "cli: serve"}
		}
		log := a.logger(cfg, slog.LevelDebug)
		setServerGC()
		ctx := cmd.Context()
		n, err := node.Start(ctx, cfg, log)
		if err != nil {
			return fmt.Errorf("cli: serve: %w", err)
		}
		info := serveInfo{PanelURL: n.HTTPURL(), FTPAddr: n.FTPAddr(), SFTPAddr: n.SFTPAddr(), HostKeys: n.SFTPHostKeys(),
			Data: cfg.Data}
		if login, pw, ok := n.FirstStart(); ok {
			info.FirstStart, info.Admin = true, &credentials{Login: login, Password: pw}
		}
		if err := a.printServe(info, cfg); err != nil {
			_ = n.Close()
			return err
		}
		<-ctx.Done()
		log.Info("stopping", "reason", context.Cause(ctx))
		if err := n.Close(); err != nil {
			return fmt.Errorf("cli: serve: close: %w", err)
		}
		return nil
	})
	return c
}

func (a *app) printServe(info serveInfo, cfg config.Config) error {
	if a.json {
		b, err := json.Marshal(info)
		if err != nil {
			return fmt.Errorf("cli: serve: %w", err)
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	w := a.stdout
	fmt.Fprintf(w, "ftpanel is running (data in %s; stop with Ctrl-C)\n", info.Data)
	fmt.Fprintf(w, "  panel and APIs: %s\n", info.PanelURL)
	fmt.Fprintf(w, "  FTP:            %s\n", orDash(info.FTPAddr))
	if info.SFTPAddr != "" {
		fmt.Fprintf(w, "  SFTP:           %s\n", info.SFTPAddr)
		for _, k := range info.HostKeys {
			fmt.Fprintf(w, "    host key:     %s\n", k)
		}
	}
	if info.Admin == nil {
		return nil
	}
	self := "ftpanel"
	if a.data != "" {
		self += " --data " + a.data
	}
	fmt.Fprintf(w, "\nFirst start: an administrator was created. Log in to the panel at %s with\n", info.PanelURL)
	fmt.Fprintf(w, "  login:    %s\n  password: %s  %s\n", info.Admin.Login, info.Admin.Password, shownOnce)
	fmt.Fprintf(w, "\nCreate a customer and a site (this prints the site's FTP login and password):\n")
	fmt.Fprintf(w, "  %s customer add alice\n  %s site add example.com --customer alice\n", self, self)
	if info.FTPAddr != "" {
		host, port := connectHost(info.FTPAddr, cfg)
		fmt.Fprintf(w, "then connect over FTP with them:\n")
		fmt.Fprintf(w, "  %s\n  %s\n", lftpLine(host, port, cfg), curlLine(host, port, cfg))
	}
	if info.SFTPAddr != "" {
		host, port := connectHost(info.SFTPAddr, cfg)
		fmt.Fprintf(w, "or over SFTP (check the host key fingerprint above on first connect):\n")
		fmt.Fprintf(w, "  sftp -P %s LOGIN@%s\n", port, host)
	}
	return nil
}

// connectHost returns the host and port a client on this machine (or,
// with a public host, anywhere) uses to reach the FTP listener.
func connectHost(addr string, cfg config.Config) (string, string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, "21"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if cfg.FTP.PublicHost != "" {
			host = cfg.FTP.PublicHost
		}
	}
	return host, port
}

func ftpURL(host, port string) string {
	return "ftp://" + net.JoinHostPort(host, port)
}

func lftpLine(host, port string, cfg config.Config) string {
	set := ""
	switch {
	case cfg.FTP.TLS == "off":
		set = "set ftp:ssl-allow no; "
	case cfg.FTP.CertFile == "": // our self-signed certificate
		set = "set ssl:verify-certificate no; "
	}
	return fmt.Sprintf("lftp -u LOGIN -e '%sls; bye' %s", set, ftpURL(host, port))
}

func curlLine(host, port string, cfg config.Config) string {
	opts := ""
	if cfg.FTP.TLS == "required" {
		opts = "--ssl-reqd "
		if cfg.FTP.CertFile == "" {
			opts += "-k "
		}
	}
	return fmt.Sprintf("curl %s-u LOGIN:PASSWORD %s/", opts, ftpURL(host, port))
}
