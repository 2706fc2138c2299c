package homefs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"ftpanel/internal/hosting"
)

// Usages holds the Usage of every account in use on this node, so that
// all sessions of an account, whatever the protocol (FTP, SFTP, the file
// manager), reserve from one pool and cannot together pass its quota.
type Usages struct {
	mu         sync.Mutex
	m          map[int64]*Usage
	scanning   sync.Mutex // held while background measures run
	lastRescan time.Time
	share      *quotaShare // see ShareQuota; guarded by mu
}

// NewUsages returns an empty registry.
func NewUsages() *Usages { return &Usages{m: map[int64]*Usage{}} }

// Acquire returns the Usage of a's home, with a's current quota, and
// counts one more user of it; Release it when done. A home or site root
// that changed gets a fresh Usage.
func (p *Usages) Acquire(a *hosting.Account) *Usage {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.m[a.ID]
	if u == nil || u.siteRoot != a.SiteRoot || u.home != a.Home {
		u = NewUsage(a.ID, a.SiteRoot, a.Home, a.QuotaBytes)
		u.share = p.share
		p.m[a.ID] = u
	}
	u.setLimit(a.QuotaBytes)
	u.refs++
	u.lastUsed = time.Now()
	return u
}

// Release gives back a Usage taken with Acquire.
func (p *Usages) Release(u *Usage) {
	if u == nil {
		return
	}
	p.mu.Lock()
	u.refs--
	u.lastUsed = time.Now()
	p.mu.Unlock()
}

// Forget drops the Usage of an account that no longer exists.
func (p *Usages) Forget(accountID int64) {
	p.mu.Lock()
	delete(p.m, accountID)
	p.mu.Unlock()
}

func (p *Usages) list() []*Usage {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Usage, 0, len(p.m))
	for _, u := range p.m {
		out = append(out, u)
	}
	return out
}

// Record writes measured usage that changed since it was last recorded
// (every measured usage when all) through record; a record that fails
// with not_found (the account is gone) forgets the usage.
func (p *Usages) Record(ctx context.Context, all bool, record func(ctx context.Context, accountID, used int64) error, log *slog.Logger) {
	for _, u := range p.list() {
		u.mu.Lock()
		v, ok := u.disk, u.scanned && (all || u.disk != u.recorded)
		if u.share != nil && u.limit >= 0 {
			// Shared with other nodes: used_bytes moves by settlements
			// (and the scanner's measures), never by this node's figure,
			// which misses the other nodes' writes.
			ok = false
		}
		u.mu.Unlock()
		if !ok {
			continue
		}
		if err := record(ctx, u.accountID, v); err != nil {
			if hosting.ErrorCode(err) == hosting.CodeNotFound {
				log.Debug("usage of a deleted account dropped", "account", u.accountID)
				p.Forget(u.accountID)
				continue
			}
			log.Warn("record usage", "account", u.accountID, "err", err)
			continue
		}
		u.mu.Lock()
		u.recorded = v
		u.mu.Unlock()
	}
}

// Scan starts, in the background, the measures that are due: usage never
// measured (accounts without quota are measured here rather than on their
// first write), marked stale, or older than every. Usage nobody used for
// every is forgotten. done stops the background work early.
func (p *Usages) Scan(now time.Time, every time.Duration, done <-chan struct{}, log *slog.Logger) {
	if !p.scanning.TryLock() {
		return
	}
	periodic := now.Sub(p.lastRescan) >= every
	if periodic {
		p.lastRescan = now
	}
	var due []*Usage
	p.mu.Lock()
	for id, u := range p.m {
		u.mu.Lock()
		need := !u.scanned || u.stale || (periodic && now.Sub(u.lastScan) >= every)
		u.mu.Unlock()
		if u.refs <= 0 && now.Sub(u.lastUsed) >= every {
			delete(p.m, id)
			continue
		}
		if need {
			due = append(due, u)
		}
	}
	p.mu.Unlock()
	if len(due) == 0 {
		p.scanning.Unlock()
		return
	}
	go func() {
		defer p.scanning.Unlock()
		for _, u := range due {
			select {
			case <-done:
				return
			default:
			}
			if err := u.rescan(true); err != nil {
				log.Warn("measure usage", "account", u.accountID, "err", err)
			}
		}
	}()
}
