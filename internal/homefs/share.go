package homefs

import (
	"context"
	"log/slog"
	"time"

	"ftpanel/internal/hosting"
)

// Quota across nodes (issue 17 item 7). Several nodes on one PostgreSQL
// serve the same accounts, each with its own Usage pool; alone, each pool
// would let its node fill the whole quota. So for an account with a quota
// the pool also holds a lease from the store (hosting.QuotaClaim): bytes
// this node may add beyond the account's used_bytes, granted atomically
// against every other node's live lease. Reservations are taken from the
// lease locally; only when it runs out does the pool cross the store, for
// a chunk (4 MiB) more, and at that moment it also settles the growth it
// made since its last claim into used_bytes. Accounts without a quota
// never touch the store here.
//
// The nodes together never hold more than quota − used_bytes, so what
// they write on top of used_bytes stays within the quota; a node whose
// upload was granted a reservation before the quota was used up finishes
// it within its lease, so the overshoot of the whole cluster is at most
// one chunk (a lease renewed while an upload is in flight cannot be cut
// below that upload's reservation).
//
// When the store cannot be reached, no new lease is granted: uploads of
// accounts with a quota stop (fail closed) rather than overrun the quota.

// leaseTTL is how long a node's lease lives in the store without being
// renewed: a node that stopped frees its share of the quota after it.
const leaseTTL = 2 * time.Minute

// quotaShare is how a node's pools reach the store.
type quotaShare struct {
	node  string
	claim func(ctx context.Context, c hosting.QuotaClaim) (hosting.QuotaGrant, error)
	log   *slog.Logger
}

// takeLeaseLocked takes up to n bytes from the lease, claiming more from
// the store first when it is short or old. u.mu is held: claims of one
// account on one node run one at a time, once per chunk.
func (u *Usage) takeLeaseLocked(n int64) int64 {
	if u.lease-u.leased < n || time.Since(u.leaseAt) > leaseTTL/2 {
		u.claimLocked(u.pending + max(n, chunk))
	}
	n = min(n, u.lease-u.leased)
	if n <= 0 {
		return 0
	}
	u.leased += n
	return n
}

// claimLocked settles the growth since the last claim and asks the store
// for a lease of want bytes. On failure the lease is left as it is.
func (u *Usage) claimLocked(want int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := time.Now()
	floor := int64(0)
	if u.scanned {
		floor = u.disk
	}
	g, err := u.share.claim(ctx, hosting.QuotaClaim{AccountID: u.accountID, Node: u.share.node, Settle: u.unsettled,
		Floor: floor, Want: want, Limit: max(0, u.limit), Now: now, Expires: now.Add(leaseTTL)})
	if err != nil {
		u.share.log.Warn("claim quota", "account", u.accountID, "err", err)
		return
	}
	u.unsettled, u.lease, u.leased, u.leaseAt = 0, g.Granted, u.pending, now
}

// settle renews the lease of a pool with a quota that has one or changed
// since its last claim, keeping what it holds but does not use: growth
// reaches used_bytes (shown to people and to other nodes) and a lease
// still needed does not expire.
func (u *Usage) settle() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.share == nil || u.limit < 0 || (u.lease == 0 && u.unsettled == 0 && u.pending == 0) {
		return
	}
	if u.unsettled == 0 && time.Since(u.leaseAt) < leaseTTL/4 {
		return
	}
	u.claimLocked(u.pending + max(0, u.lease-u.leased))
}

// ShareQuota makes the pools of accounts with a quota lease their room
// from the store through claim (hosting.Service.ClaimQuota), as node, so
// that nodes sharing a store cannot together pass a quota. Call it before
// the first Acquire.
func (p *Usages) ShareQuota(node string, claim func(context.Context, hosting.QuotaClaim) (hosting.QuotaGrant, error), log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	p.mu.Lock()
	p.share = &quotaShare{node: node, claim: claim, log: log}
	p.mu.Unlock()
}

// Settle settles every pool's growth with the store and renews the leases
// still in use; see ShareQuota. Call it every few seconds.
func (p *Usages) Settle() {
	for _, u := range p.list() {
		u.settle()
	}
}
