package hosting_test

import (
	"context"
	"strings"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestService_RecordFileEvent(t *testing.T) {
	t.Parallel()
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	site, _ := env.MustSite(t, "alice", "files.example")
	bobSite, _ := env.MustSite(t, "bob", "bob.example")
	acct := env.MustAccount(t, "files.example", "fm1", "")
	bobAcct := env.MustAccount(t, "bob.example", "fm2", "")
	alice := hosting.WithActor(context.Background(), hosting.Actor{Kind: hosting.ActorCustomer, Login: "alice",
		CustomerID: site.CustomerID, Via: hosting.ViaWeb, RemoteAddr: "192.0.2.7"})
	long := strings.Repeat("é", 2000)
	tests := []struct {
		name string
		ctx  context.Context
		ev   hosting.FileEvent
		want hosting.Code
	}{
		{"OK/site root", alice, hosting.FileEvent{Site: site, Action: "upload", Path: "/a.txt", Detail: "5 bytes"}, ""},
		{"OK/as account", alice, hosting.FileEvent{Site: site, Account: acct, Action: "delete", Path: "/x", Detail: "file"}, ""},
		{"OK/long path clipped", alice, hosting.FileEvent{Site: site, Action: "mkdir", Path: "/" + long}, ""},
		{"ErrNotFound/another customer's site", alice, hosting.FileEvent{Site: bobSite, Action: "upload", Path: "/a"}, hosting.CodeNotFound},
		{"ErrNotFound/account of another site", alice, hosting.FileEvent{Site: site, Account: bobAcct, Action: "upload", Path: "/a"}, hosting.CodeNotFound},
		{"ErrInvalidInput/no action", alice, hosting.FileEvent{Site: site, Path: "/a"}, hosting.CodeInvalidInput},
		{"ErrInvalidInput/no site", alice, hosting.FileEvent{Action: "upload", Path: "/a"}, hosting.CodeInvalidInput},
		{"ErrUnauthorized", context.Background(), hosting.FileEvent{Site: site, Action: "upload", Path: "/a"}, hosting.CodeUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := env.Service.RecordFileEvent(tt.ctx, tt.ev)
			if got := hosting.ErrorCode(err); got != tt.want {
				t.Fatalf("RecordFileEvent: code %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	evs, err := env.Service.AuditEvents(alice, hosting.AuditFilter{ObjectType: "file", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("%d file events, want 3: %+v", len(evs), evs)
	}
	byAction := map[string]*hosting.AuditEvent{}
	for _, e := range evs {
		byAction[e.Action] = e
		if e.Actor != "alice" || e.RemoteAddr != "192.0.2.7" || e.Via != hosting.ViaWeb || e.CustomerID != site.CustomerID {
			t.Errorf("event %+v: wrong who/where", e)
		}
		if len(e.ObjectName) > 1100 {
			t.Errorf("event name not clipped: %d bytes", len(e.ObjectName))
		}
	}
	if e := byAction["file.upload"]; e == nil || e.ObjectName != "files.example:/a.txt" || e.Detail != "5 bytes" {
		t.Errorf("upload event %+v", e)
	}
	if e := byAction["file.delete"]; e == nil || e.Detail != "as fm1; file" {
		t.Errorf("delete event %+v", e)
	}
}
