package hestia_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"ftpanel/internal/hestia"
)

// TestListingUDisk: U_DISK (MB, rounded up) shows the site folder as the
// usage scanner measured it.
func TestListingUDisk(t *testing.T) {
	f := newFixture(t, hestia.Options{})
	ctx := f.env.Admin(context.Background())
	site, err := f.env.Service.Site(ctx, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.env.Service.RecordSiteUsage(ctx, site.ID, 5<<20+1, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, body := f.post(t, f.hash("admin"), "no", "v-list-web-domain", "alice", "example.com", "json")
	var list map[string]map[string]string
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	if got := list["example.com"]["U_DISK"]; got != "6" {
		t.Errorf("U_DISK=%q, want 6 (5 MiB and a byte, rounded up)", got)
	}
}
