package api

import (
	"context"
	"testing"
	"time"
)

// TestAPI_Usage: accounts and sites show the measured usage and when it
// was measured (null before the first measure), as the OpenAPI document
// says (do validates every answer against it).
func TestAPI_Usage(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := e.Admin(context.Background())
	site := decodeAs[siteJSON](t, e.do(t, e.alice, "GET", "/api/v1/sites/alice.example", nil).want(t, 200))
	acct := decodeAs[accountJSON](t, e.do(t, e.alice, "GET", "/api/v1/accounts/"+e.aliceMain, nil).want(t, 200))
	if site.UsedMeasuredAt != nil || acct.UsedMeasuredAt != nil {
		t.Fatalf("measured before any measure: site %v account %v", site.UsedMeasuredAt, acct.UsedMeasuredAt)
	}
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := e.Service.RecordSiteUsage(ctx, site.ID, 123456, map[int64]int64{acct.ID: 120000}, at); err != nil {
		t.Fatal(err)
	}
	site = decodeAs[siteJSON](t, e.do(t, e.alice, "GET", "/api/v1/sites/alice.example", nil).want(t, 200))
	acct = decodeAs[accountJSON](t, e.do(t, e.alice, "GET", "/api/v1/accounts/"+e.aliceMain, nil).want(t, 200))
	if site.UsedBytes != 123456 || site.UsedMeasuredAt == nil || !site.UsedMeasuredAt.Equal(at) {
		t.Errorf("site used_bytes=%d used_measured_at=%v, want 123456 at %v", site.UsedBytes, site.UsedMeasuredAt, at)
	}
	if acct.UsedBytes != 120000 || acct.UsedMeasuredAt == nil || !acct.UsedMeasuredAt.Equal(at) {
		t.Errorf("account used_bytes=%d used_measured_at=%v, want 120000 at %v", acct.UsedBytes, acct.UsedMeasuredAt, at)
	}
	l := decodeAs[list[siteJSON]](t, e.do(t, e.admin, "GET", "/api/v1/sites?customer=alice", nil).want(t, 200))
	if len(l.Items) != 1 || l.Items[0].UsedBytes != 123456 {
		t.Errorf("site list: %+v", l.Items)
	}
}
