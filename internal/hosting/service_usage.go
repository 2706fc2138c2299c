package hosting

import (
	"context"
	"time"
)

// RecordSiteUsage stores a measure of a site's folder taken at at (the
// node's usage scanner): the site's total and its accounts' usage. A
// measure, not a change: no audit event.
func (s *Service) RecordSiteUsage(ctx context.Context, siteID, total int64, accounts map[int64]int64, at time.Time) error {
	return op("hosting.RecordSiteUsage", s.store.RecordSiteUsage(ctx, siteID, total, accounts, at))
}

// ClaimQuota settles a node's growth of an account's home and renews its
// lease of the account's quota (see QuotaClaim).
func (s *Service) ClaimQuota(ctx context.Context, c QuotaClaim) (QuotaGrant, error) {
	g, err := s.store.ClaimQuota(ctx, c)
	return g, op("hosting.ClaimQuota", err)
}
