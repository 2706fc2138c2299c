package homefs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strings"
	"time"

	"ftpanel/internal/hosting"
)

// ScanService is what the usage scanner needs of hosting.Service.
type ScanService interface {
	Sites(ctx context.Context, f hosting.SiteFilter) ([]*hosting.Site, error)
	Accounts(ctx context.Context, f hosting.AccountFilter) ([]*hosting.Account, error)
	RecordSiteUsage(ctx context.Context, siteID, total int64, accounts map[int64]int64, at time.Time) error
	PutKV(ctx context.Context, scope, key string, value []byte, ttl time.Duration) error
	KV(ctx context.Context, scope, key string) ([]byte, error)
}

// ScannerConfig configures a Scanner.
type ScannerConfig struct {
	Node     string        // this node's name, for the scan leases
	Interval time.Duration // between passes (default 10m)
	// EntriesPerSecond paces the walk (files and folders looked at per
	// second, default 20000); negative = no pacing (tests).
	EntriesPerSecond int
	Logger           *slog.Logger
}

// Scanner measures, on this node, the disk usage of every site and of
// every account, whoever wrote the files (FTP, SFTP, the web app, a CLI,
// another account), and records it with the time it was measured.
//
// One walk per site serves all its accounts: a file counts for every
// account whose home contains it (nested homes count what they hold, the
// main account, home "/", the whole site). Walks are confined to the site
// through os.Root and never follow symlinks.
//
// Cost: a pass reads no file, only metadata: one folder listing per folder
// and one lstat per entry, paced at EntriesPerSecond, and one store
// transaction per site. So a pass over a site where nothing changed costs
// its entry count divided by the pace, in metadata reads the kernel
// usually serves from its cache, and one small write. Only one node scans
// a site at a time: a lease in the store's key-value table (scope
// "usage-scan") names the node, renewed by its passes, taken over by
// another node once it lapses (two nodes may scan the same site once at a
// takeover: harmless, both figures are measures).
//
// After a site's walk the in-memory pools (Usages) of its accounts are set
// to the measure, so that a delete made outside the file layer frees quota
// for uploads at once rather than at the next session rescan.
type Scanner struct {
	svc    ScanService
	usages *Usages
	cfg    ScannerConfig
	log    *slog.Logger
}

// NewScanner returns a scanner recording through svc and refreshing the
// pools of usages (may be nil).
func NewScanner(svc ScanService, usages *Usages, cfg ScannerConfig) *Scanner {
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Minute
	}
	if cfg.EntriesPerSecond == 0 {
		cfg.EntriesPerSecond = 20000
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Scanner{svc: svc, usages: usages, cfg: cfg, log: log}
}

// settleEvery is how often Run settles the shared quota pools.
const settleEvery = 10 * time.Second

// Run measures every site now and then every Interval, and settles the
// shared quota pools every few seconds, until ctx ends.
func (s *Scanner) Run(ctx context.Context) {
	scan := time.NewTimer(0)
	defer scan.Stop()
	settle := time.NewTicker(settleEvery)
	defer settle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-settle.C:
			if s.usages != nil {
				s.usages.Settle()
			}
		case <-scan.C:
			if err := s.Pass(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("usage scan", "err", err)
			}
			scan.Reset(s.cfg.Interval)
		}
	}
}

// leaseScope is the key-value scope of the per-site scan leases.
const leaseScope = "usage-scan"

// Pass measures every site whose lease this node holds or can take, and
// returns how many it measured.
func (s *Scanner) Pass(ctx context.Context) error {
	_, err := s.pass(ctx)
	return err
}

func (s *Scanner) pass(ctx context.Context) (int, error) {
	sites, err := s.svc.Sites(ctx, hosting.SiteFilter{})
	if err != nil {
		return 0, fmt.Errorf("homefs: usage scan: list sites: %w", err)
	}
	var errs []error
	n := 0
	for _, site := range sites {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		mine, err := s.lease(ctx, site.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !mine {
			continue
		}
		if err := s.ScanSite(ctx, site); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// lease takes or renews this node's lease on scanning a site; false when
// another node holds it.
func (s *Scanner) lease(ctx context.Context, siteID int64) (bool, error) {
	key := fmt.Sprint(siteID)
	v, err := s.svc.KV(ctx, leaseScope, key)
	switch {
	case err == nil && string(v) != s.cfg.Node:
		return false, nil
	case err != nil && hosting.ErrorCode(err) != hosting.CodeNotFound:
		return false, fmt.Errorf("homefs: usage scan lease: %w", err)
	}
	if err := s.svc.PutKV(ctx, leaseScope, key, []byte(s.cfg.Node), 2*s.cfg.Interval+time.Minute); err != nil {
		return false, fmt.Errorf("homefs: usage scan lease: %w", err)
	}
	// Two nodes taking a free lease at once: the last write wins, the
	// other one sees it here (or, at worst, both scan once).
	v, err = s.svc.KV(ctx, leaseScope, key)
	return err == nil && string(v) == s.cfg.Node, nil
}

// ScanSite measures one site now and records its total and its accounts'
// usage.
func (s *Scanner) ScanSite(ctx context.Context, site *hosting.Site) error {
	accounts, err := s.svc.Accounts(ctx, hosting.AccountFilter{SiteID: &site.ID})
	if err != nil {
		return fmt.Errorf("homefs: usage scan %s: list accounts: %w", site.Name, err)
	}
	// Homes as site-relative clean paths ("." = the site root).
	homes := map[string][]int64{}
	for _, a := range accounts {
		h := homeKey(a.Home)
		homes[h] = append(homes[h], a.ID)
	}
	var pools []*Usage
	if s.usages != nil {
		pools = s.usages.beginMeasure(accounts)
	}
	at := time.Now()
	sums, seen, err := s.walk(ctx, site.Root, homes)
	if err != nil {
		s.usages.endMeasure(pools, nil, false)
		return fmt.Errorf("homefs: usage scan %s: %w", site.Name, err)
	}
	used := map[int64]int64{}
	for h, ids := range homes {
		v, ok := sums[h], seen[h]
		if !ok && h != "." {
			// Not met as a folder in the walk: a home reached through a
			// symlink (still inside the site), or missing (0).
			if m, err := measure(site.Root, h); err == nil {
				v = m
			}
		}
		for _, id := range ids {
			used[id] = v
		}
	}
	err = s.svc.RecordSiteUsage(ctx, site.ID, sums["."], used, at)
	s.usages.endMeasure(pools, used, err == nil)
	if err != nil {
		return fmt.Errorf("homefs: usage scan %s: record: %w", site.Name, err)
	}
	return nil
}

func homeKey(home string) string {
	h := strings.Trim(path.Clean("/"+home), "/")
	if h == "" {
		return "."
	}
	return h
}

// walk sums the regular files under the site root for each home (and for
// "." always), pacing itself; seen tells the homes met as folders.
func (s *Scanner) walk(ctx context.Context, siteRoot string, homes map[string][]int64) (sums map[string]int64, seen map[string]bool, err error) {
	root, err := openHome(siteRoot, "/")
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	sums, seen = map[string]int64{".": 0}, map[string]bool{".": true}
	p := newPacer(s.cfg.EntriesPerSecond)
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			return nil // a folder we cannot read (or that vanished) counts as empty
		}
		if err := p.wait(ctx); err != nil {
			return err
		}
		if d.IsDir() {
			if _, ok := homes[name]; ok {
				seen[name] = true
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		size := fi.Size()
		sums["."] += size
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if _, ok := homes[dir]; ok {
				sums[dir] += size
			}
		}
		return nil
	})
	return sums, seen, err
}

// pacer limits the walk to rate entries per second, sleeping every few
// entries for as long as it is ahead of that pace.
type pacer struct {
	rate  int
	n     int
	start time.Time
}

func newPacer(rate int) *pacer { return &pacer{rate: rate, start: time.Now()} }

func (p *pacer) wait(ctx context.Context) error {
	p.n++
	if p.rate <= 0 || p.n%256 != 0 {
		return nil
	}
	ahead := time.Duration(float64(p.n)/float64(p.rate)*float64(time.Second)) - time.Since(p.start)
	if ahead <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(ahead)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// beginMeasure marks the in-memory pools of accounts whose home the
// scanner is about to measure: their own changes from now on are counted
// on top of the measure.
func (p *Usages) beginMeasure(accounts []*hosting.Account) []*Usage {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*Usage
	for _, a := range accounts {
		u := p.m[a.ID]
		if u == nil || u.siteRoot != a.SiteRoot || homeKey(u.home) != homeKey(a.Home) {
			continue
		}
		u.mu.Lock()
		u.extScanning, u.extSince = true, 0
		u.mu.Unlock()
		out = append(out, u)
	}
	return out
}

// endMeasure sets the pools to the measure (used, by account; nil: the
// measure failed, the pools are left as they were). recorded: the measure
// is now the store's used_bytes, so only the growth made during the walk
// is left to settle with it (the rest is in the measure).
func (p *Usages) endMeasure(pools []*Usage, used map[int64]int64, recorded bool) {
	now := time.Now()
	for _, u := range pools {
		u.mu.Lock()
		if v, ok := used[u.accountID]; ok {
			u.disk = max(0, v+u.extSince)
			u.scanned, u.stale, u.lastScan = true, false, now
			if recorded {
				u.unsettled = u.extSince
			}
		}
		u.extScanning, u.extSince = false, 0
		u.mu.Unlock()
	}
}
