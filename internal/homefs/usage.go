package homefs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// Usage tracks the disk usage of one account's home folder and enforces
// its quota. It is shared by every session of the account, so concurrent
// uploads reserve bytes from one pool and cannot together pass the quota.
//
// disk is what the home holds as far as we know: measured by a scan, then
// kept current by our own writes and deletes. pending is reserved for
// uploads in flight and not yet written. A reservation is granted only
// while disk+pending stays within the limit.
type Usage struct {
	accountID      int64
	siteRoot, home string

	mu        sync.Mutex
	limit     int64 // bytes; negative = unlimited
	disk      int64
	pending   int64
	scanned   bool
	scanning  bool
	sinceScan int64 // changes made while a scan walks the tree
	recorded  int64 // last value written to the store; -1 = never
	stale     bool  // a change we could not account for (RemoveAll)
	refs      int   // sessions using it (guarded by Usages.mu)
	lastUsed  time.Time
	lastScan  time.Time

	scanMu sync.Mutex // one scan at a time

	// Measures by the node's scanner (scanner.go): changes made while it
	// walks are counted on top of its figure, as for rescan.
	extScanning bool
	extSince    int64

	// The quota shared with other nodes (share.go); nil = this node alone.
	share     *quotaShare
	lease     int64     // bytes the store granted this node beyond used_bytes
	leased    int64     // of which taken: reservations in flight + growth since the last claim
	unsettled int64     // net growth since the last claim
	leaseAt   time.Time // when the lease was granted
}

// NewUsage returns the usage of the home (site-relative) of an account in
// siteRoot, with quota limit (negative = none), not measured yet.
func NewUsage(accountID int64, siteRoot, home string, limit int64) *Usage {
	return &Usage{accountID: accountID, siteRoot: siteRoot, home: home, limit: limit, recorded: -1}
}

// setLimit updates the quota (a new login brings the current value).
func (u *Usage) setLimit(limit int64) {
	u.mu.Lock()
	u.limit = limit
	u.mu.Unlock()
}

// reserve grants up to n bytes of growth, fewer (maybe 0) when the quota
// is nearly used. Every grant must be followed by commit.
func (u *Usage) reserve(n int64) int64 {
	if n <= 0 {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.limit >= 0 {
		left := u.limit - u.disk - u.pending
		if left <= 0 {
			return 0
		}
		n = min(n, left)
		if u.share != nil {
			if n = u.takeLeaseLocked(n); n == 0 {
				return 0
			}
		}
	}
	u.pending += n
	return n
}

// commit releases a reservation of reserved bytes, of which growth were
// actually added to the tree.
func (u *Usage) commit(reserved, growth int64) {
	u.mu.Lock()
	u.pending -= reserved
	if u.pending < 0 {
		u.pending = 0
	}
	if reserved > 0 || growth > 0 {
		u.leased = max(0, u.leased-reserved+max(0, growth))
	}
	u.addLocked(growth)
	u.mu.Unlock()
}

// add records a change of the tree's size (a delete, a truncation).
func (u *Usage) add(delta int64) {
	if delta == 0 {
		return
	}
	u.mu.Lock()
	u.addLocked(delta)
	u.mu.Unlock()
}

func (u *Usage) addLocked(delta int64) {
	u.disk += delta
	if u.disk < 0 {
		u.disk = 0
	}
	if u.scanning {
		u.sinceScan += delta
	}
	if u.extScanning {
		u.extSince += delta
	}
	u.unsettled += delta
}

// markStale asks for a rescan at the next opportunity.
func (u *Usage) markStale() {
	u.mu.Lock()
	u.stale = true
	u.mu.Unlock()
}

// Limit returns the quota in bytes, negative when there is none.
func (u *Usage) Limit() int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.limit
}

// AccountID returns the account whose home the usage measures.
func (u *Usage) AccountID() int64 { return u.accountID }

// Available returns the bytes left under the quota (≥ 0), or -1 when the
// account has no quota.
func (u *Usage) Available() int64 { return u.available() }

func (u *Usage) available() int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.limit < 0 {
		return -1
	}
	return max(0, u.limit-u.disk-u.pending)
}

// Used returns the tree's known size.
func (u *Usage) Used() int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.disk
}

// ensureScanned measures the tree once, before the first write needs it.
// Without a quota nothing waits for it: the sync loop measures in the
// background, for the usage shown to people.
func (u *Usage) ensureScanned() error {
	u.mu.Lock()
	done := u.scanned || u.limit < 0
	u.mu.Unlock()
	if done {
		return nil
	}
	return u.rescan(false)
}

// Rescan measures the tree again now.
func (u *Usage) Rescan() error { return u.rescan(true) }

// MarkStale asks for a rescan at the next opportunity (a change made
// outside the file layer).
func (u *Usage) MarkStale() { u.markStale() }

// rescan measures the tree again (always when force, else only when it
// was never measured). Changes made while the walk runs are counted on top
// of the measure, which can only over-count until the next scan: safe for
// a quota.
func (u *Usage) rescan(force bool) error {
	u.scanMu.Lock()
	defer u.scanMu.Unlock()
	u.mu.Lock()
	if u.scanned && !force {
		u.mu.Unlock()
		return nil
	}
	u.scanning, u.sinceScan = true, 0
	u.mu.Unlock()

	n, err := measure(u.siteRoot, u.home)

	u.mu.Lock()
	defer u.mu.Unlock()
	u.scanning = false
	if err != nil {
		return err
	}
	u.disk = n + u.sinceScan
	if u.disk < 0 {
		u.disk = 0
	}
	u.sinceScan, u.scanned, u.stale, u.lastScan = 0, true, false, time.Now()
	return nil
}

// measure sums the sizes of the regular files under home (site-relative)
// in the site root, without following symlinks.
func measure(siteRoot, home string) (int64, error) {
	root, err := openHome(siteRoot, home)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	var total int64
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			return nil // a folder we cannot read (or that vanished) counts as empty
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				total += fi.Size()
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("homefs: measure %s: %w", home, err)
	}
	return total, nil
}

// openHome opens the account's home (site-relative, "/" = the site root)
// as an os.Root: first the site root, then the home inside it, so that a
// home reached through a symlink must still lie inside the site.
func openHome(siteRoot, home string) (*os.Root, error) {
	if siteRoot == "" {
		return nil, errors.New("homefs: the site has no root folder")
	}
	site, err := os.OpenRoot(siteRoot)
	if err != nil {
		return nil, fmt.Errorf("homefs: open site root: %w", err)
	}
	h := strings.Trim(home, "/")
	if h == "" {
		return site, nil
	}
	defer site.Close()
	r, err := site.OpenRoot(h)
	if err != nil {
		return nil, fmt.Errorf("homefs: open home %s: %w", home, err)
	}
	return r, nil
}

// OpenRoot opens the account's home (site-relative, "/" = the site root)
// as an os.Root: first the site root, then the home inside it, so that a
// home reached through a symlink must still lie inside the site.
func OpenRoot(siteRoot, home string) (*os.Root, error) { return openHome(siteRoot, home) }
