// Package node wires one ftpanel process: the store, the hosting service,
// the FTP server and the HTTP listener with the panel and the APIs.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ftpanel/internal/config"
	"ftpanel/internal/hosting"
	"ftpanel/internal/password"
	"ftpanel/internal/store/sqlite"
)

// OpenStore opens the store cfg selects: SQLite in the data folder, or
// PostgreSQL for store.dsn = postgres://...
func OpenStore(ctx context.Context, cfg config.Config) (hosting.Store, error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("node: create data folder: %w", err)
	}
	if cfg.Store.DSN == "" {
		db, err := sqlite.Open(ctx, filepath.Join(cfg.Data, "ftpanel.db"))
		if err != nil {
			return nil, fmt.Errorf("node: open store: %w", err)
		}
		return db, nil
	}
	return openPostgres(ctx, cfg.Store.DSN)
}

// OpenService opens the store and builds the hosting service over it, for
// CLI verbs. Close the returned closer when done.
func OpenService(ctx context.Context, cfg config.Config, log *slog.Logger) (*hosting.Service, io.Closer, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := newService(st, cfg, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, st, nil
}

func newService(st hosting.Store, cfg config.Config, log *slog.Logger) (*hosting.Service, error) {
	pol, err := cfg.HostingPolicy()
	if err != nil {
		return nil, fmt.Errorf("node: policy: %w", err)
	}
	if err := os.MkdirAll(pol.SitesDir, 0o755); err != nil {
		return nil, fmt.Errorf("node: create sites folder: %w", err)
	}
	guard, err := cfg.GuardConfig()
	if err != nil {
		return nil, fmt.Errorf("node: defender: %w", err)
	}
	svc, err := hosting.NewService(st, pol, password.Hasher{}, hosting.Options{Logger: log, Guard: guard})
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	return svc, nil
}

// Node is one running ftpanel process.
type Node struct {
	cfg   config.Config
	log   *slog.Logger
	store hosting.Store
	svc   *hosting.Service
	reg   *prometheus.Registry

	httpLn  net.Listener
	httpSrv *http.Server
	httpURL string
	extra   extraParts

	adminLogin, adminPassword string
	firstStart                bool
}

// Start opens the store, creates the first administrator when there is
// none, binds the FTP and HTTP listeners (so ":0" and port-in-use errors
// surface here) and serves in the background until Close.
func Start(ctx context.Context, cfg config.Config, log *slog.Logger) (n *Node, err error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n = &Node{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	if n.store, err = OpenStore(ctx, cfg); err != nil {
		return n, err
	}
	if n.svc, err = newService(n.store, cfg, log); err != nil {
		return n, err
	}
	if n.adminLogin, n.adminPassword, n.firstStart, err = n.svc.Bootstrap(ctx); err != nil {
		return n, fmt.Errorf("node: create first admin: %w", err)
	}
	n.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", n.handleHealth)
	mux.Handle("GET /metrics", promhttp.HandlerFor(n.reg, promhttp.HandlerOpts{}))
	if err := n.startParts(ctx, mux); err != nil {
		return n, err
	}

	if n.httpLn, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
		return n, fmt.Errorf("node: http listen %s: %w", cfg.HTTP.Listen, err)
	}
	n.httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 16,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if cfg.HTTP.CertFile != "" {
		scheme = "https"
	}
	n.httpURL = scheme + "://" + displayAddr(n.httpLn.Addr().String())
	go func() {
		var err error
		if cfg.HTTP.CertFile != "" {
			err = n.httpSrv.ServeTLS(n.httpLn, cfg.HTTP.CertFile, cfg.HTTP.KeyFile)
		} else {
			err = n.httpSrv.Serve(n.httpLn)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	log.Info("ftpanel started", "node", cfg.NodeID(), "ftp", n.FTPAddr(), "sftp", n.SFTPAddr(), "http", n.httpURL)
	return n, nil
}

// displayAddr turns a wildcard listen address into one a browser can use.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func (n *Node) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	ctx = hosting.WithActor(ctx, hosting.SystemActor(hosting.ViaAPI, "healthz"))
	w.Header().Set("Content-Type", "application/json")
	if _, err := n.svc.Admins(ctx); err != nil {
		n.log.Error("health check", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `{"status":"error","node":%q}`+"\n", n.cfg.NodeID())
		return
	}
	fmt.Fprintf(w, `{"status":"ok","node":%q,"ftp":%q}`+"\n", n.cfg.NodeID(), n.FTPAddr())
}

// Service returns the node's hosting service.
func (n *Node) Service() *hosting.Service { return n.svc }

// HTTPURL returns the panel's base URL, e.g. http://127.0.0.1:8080.
func (n *Node) HTTPURL() string { return n.httpURL }

// FirstStart returns the administrator created by this start, if any.
func (n *Node) FirstStart() (login, password string, ok bool) {
	return n.adminLogin, n.adminPassword, n.firstStart
}

// Close stops the node: the HTTP listener first, then the FTP server
// (transfers get the grace period), then the store.
func (n *Node) Close() error {
	var errs []error
	if n.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := n.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("node: http shutdown: %w", err))
		}
		cancel()
	}
	if err := n.closeParts(); err != nil {
		errs = append(errs, err)
	}
	if n.store != nil {
		if err := n.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("node: close store: %w", err))
		}
		n.store = nil
	}
	return errors.Join(errs...)
}

// connectHost returns the host FTP users connect to, for cards and hints.
func (n *Node) connectHost(ftpAddr string) (string, int) {
	host, port, _ := net.SplitHostPort(displayAddr(ftpAddr))
	if n.cfg.Panel.FTPHost != "" {
		host = n.cfg.Panel.FTPHost
	} else if n.cfg.FTP.PublicHost != "" {
		host = n.cfg.FTP.PublicHost
	}
	p := 0
	fmt.Sscanf(port, "%d", &p)
	return strings.TrimSpace(host), p
}
