package web_test

import (
	"net/http"
	"testing"
	"time"

	"ftpanel/internal/web"
)

// TestUsageMeasured: account cards and site headers show the usage the
// scanner measured and when; nothing before the first measure.
func TestUsageMeasured(t *testing.T) {
	p := newPanel(t, web.Options{FTPHost: "ftp.host.example", FTPPort: 2121})
	a := mustAccount(t, p, "web1")
	alice := p.loggedIn(t, "alice")
	r := alice.get("/accounts")
	wantStatus(t, "GET /accounts", r, http.StatusOK)
	wantNoBody(t, "GET /accounts", r, "Measured ", "on disk, measured")

	at := time.Date(2026, 7, 8, 9, 10, 0, 0, time.UTC)
	if err := p.env.Service.RecordSiteUsage(p.ctx(), a.SiteID, 40<<20, map[int64]int64{a.ID: 12 << 20}, at); err != nil {
		t.Fatal(err)
	}
	r = alice.get("/accounts")
	wantStatus(t, "GET /accounts", r, http.StatusOK)
	wantBody(t, "GET /accounts", r,
		`12 MB <span class="muted">/`,
		`Measured 2026-07-08 09:10 UTC`,
		`40 MB on disk, measured 2026-07-08 09:10 UTC`)
}
