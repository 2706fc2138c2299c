package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/web"
)

// putSession registers a live FTP session of account login, as the FTP
// server does.
func putSession(t *testing.T, p *panel, id, login, transfer string) {
	t.Helper()
	a := mustAccount(t, p, login)
	now := p.env.Service.Now()
	s := &hosting.Session{ID: id, Node: "node1", Protocol: "ftp", AccountID: a.ID, Login: a.Login, SiteID: a.SiteID,
		SiteName: a.SiteName, CustomerID: a.CustomerID, RemoteAddr: "203.0.113.9", Client: "FileZilla 3.66",
		TLS: true, StartedAt: now.Add(-5 * time.Minute), Transfer: transfer, BytesIn: 3 << 20, UpdatedAt: now}
	if err := p.env.Service.PutSession(p.ctx(), s); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
}

func TestConnectionList(t *testing.T) {
	p := newPanel(t, web.Options{})
	putSession(t, p, "node1-1", "web1", "STOR /httpdocs/site.zip")
	putSession(t, p, "node1-2", "bobftp", "")

	t.Run("Customer", func(t *testing.T) {
		alice := p.loggedIn(t, "alice")
		r := alice.get("/connections")
		wantStatus(t, "GET /connections", r, http.StatusOK)
		wantBody(t, "GET /connections", r, `data-session="node1-1"`, "<strong>web1</strong>", "203.0.113.9",
			"FileZilla 3.66", "STOR /httpdocs/site.zip", "5 min ago", `action="/connections/node1-1/close"`,
			`data-poll="/connections/table"`, `data-count="connections">1<`)
		wantNoBody(t, "GET /connections", r, "node1-2", "bobftp")
	})

	t.Run("Admin", func(t *testing.T) {
		r := p.loggedIn(t, "admin").get("/connections")
		wantBody(t, "admin GET /connections", r, `data-session="node1-1"`, `data-session="node1-2"`, "<th scope=\"col\">Customer</th>")
	})

	t.Run("Table", func(t *testing.T) {
		alice := p.loggedIn(t, "alice")
		r := alice.get("/connections/table")
		wantStatus(t, "GET /connections/table", r, http.StatusOK)
		wantBody(t, "GET /connections/table", r, `data-session="node1-1"`)
		wantNoBody(t, "GET /connections/table", r, "<html", "node1-2")
	})

	t.Run("TableSignedOut", func(t *testing.T) {
		c := p.client(t)
		req, _ := http.NewRequest(http.MethodGet, p.srv.URL+"/connections/table", nil)
		req.Header.Set("X-Requested-With", "fetch")
		wantStatus(t, "fetch signed out", c.do(req), http.StatusUnauthorized)
	})

	t.Run("Empty", func(t *testing.T) {
		p.env.MustCustomer(t, "dave")
		r := p.loggedIn(t, "dave").get("/connections")
		wantBody(t, "GET /connections empty", r, "No one is connected right now.")
	})
}

func TestConnectionClose(t *testing.T) {
	p := newPanel(t, web.Options{})
	putSession(t, p, "node1-1", "web1", "")
	alice := p.loggedIn(t, "alice")
	killRequested := func() bool {
		t.Helper()
		id := "node1-1"
		list, err := p.env.Service.Sessions(p.ctx(), hosting.SessionFilter{ID: &id})
		if err != nil || len(list) != 1 {
			t.Fatalf("Sessions: %v %v", list, err)
		}
		return list[0].KillRequested
	}

	t.Run("ErrCSRFMissing", func(t *testing.T) {
		wantStatus(t, "POST close without token", alice.postRaw("/connections/node1-1/close", url.Values{}), http.StatusForbidden)
		if killRequested() {
			t.Error("session flagged without a token")
		}
	})

	t.Run("ErrOtherCustomer", func(t *testing.T) {
		bob := p.loggedIn(t, "bob")
		wantStatus(t, "bob POST close", bob.post("/connections/node1-1/close", nil), http.StatusNotFound)
		if killRequested() {
			t.Error("bob flagged alice's session")
		}
	})

	t.Run("OK", func(t *testing.T) {
		r := alice.post("/connections/node1-1/close", nil)
		wantStatus(t, "POST close", r, http.StatusSeeOther)
		if !killRequested() {
			t.Error("session not flagged for closing")
		}
		r = alice.get("/connections")
		wantBody(t, "after close", r, "The connection is being closed.", "Closing…")
	})

	t.Run("ErrUnknown", func(t *testing.T) {
		wantStatus(t, "POST close unknown", alice.post("/connections/nope/close", nil), http.StatusNotFound)
	})
}
