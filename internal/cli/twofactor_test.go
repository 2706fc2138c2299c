package cli_test

import (
	"context"
	"path/filepath"
	"testing"

	"ftpanel/internal/hosting"
	"ftpanel/internal/store/sqlite"
)

// setTwoFactor turns two-factor sign-in on (or reads it) in the data
// folder's store, as the panel would.
func twoFactorOf(t *testing.T, e *env, kind hosting.ActorKind, login string, enable bool) bool {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(e.data, "ftpanel.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if kind == hosting.ActorAdmin {
		a, err := db.AdminByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		id = a.ID
	} else {
		c, err := db.CustomerByLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		id = c.ID
	}
	cur, err := db.TwoFactor(ctx, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	if enable {
		on := &hosting.TwoFactor{Kind: kind, ID: id, Secret: "JBSWY3DPEHPK3PXP", Recovery: []string{"x"}, LastStep: 1}
		if err := db.UpdateTwoFactor(ctx, on, cur, nil); err != nil {
			t.Fatal(err)
		}
		return true
	}
	return cur.Enabled()
}

func TestCLI_TwoFactorReset(t *testing.T) {
	e := newEnv(t)
	e.ok(t, nil, "customer", "add", "alice")
	e.ok(t, nil, "admin", "add", "ops")
	for _, tc := range []struct {
		noun  string
		kind  hosting.ActorKind
		login string
	}{{"customer", hosting.ActorCustomer, "alice"}, {"admin", hosting.ActorAdmin, "ops"}} {
		twoFactorOf(t, e, tc.kind, tc.login, true)
		var out struct {
			Login     string `json:"login"`
			TwoFactor bool   `json:"two_factor"`
		}
		e.ok(t, &out, tc.noun, "2fa", "reset", tc.login)
		if out.Login != tc.login || out.TwoFactor {
			t.Errorf("%s 2fa reset = %+v", tc.noun, out)
		}
		if twoFactorOf(t, e, tc.kind, tc.login, false) {
			t.Errorf("%s %s still has two-factor sign-in after reset", tc.noun, tc.login)
		}
		e.fails(t, "", 3, "not_found", tc.noun, "2fa", "reset", "nobody")
	}
}
