package hosting_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"ftpanel/internal/hosting"
	"ftpanel/internal/hosting/hostingtest"
)

func TestTwoFactor(t *testing.T) {
	env := hostingtest.New(t)
	env.MustCustomer(t, "alice")
	env.MustCustomer(t, "bob")
	ctx := context.Background()
	alice := env.As(ctx, "alice")
	svc := env.Service

	if on, _, err := svc.TwoFactorStatus(alice); err != nil || on {
		t.Fatalf("status = %v, %v; want off", on, err)
	}
	key, err := svc.NewTwoFactorKey(alice, "ftpanel test")
	if err != nil {
		t.Fatal(err)
	}
	if key.AccountName() != "alice" || key.Issuer() != "ftpanel test" {
		t.Errorf("key for %q issued by %q", key.AccountName(), key.Issuer())
	}
	if _, err := svc.EnableTwoFactor(alice, key.Secret(), "000000"); hosting.ErrorCode(err) != hosting.CodeUnauthorized {
		t.Errorf("enable with a wrong code: %v, want unauthorized", err)
	}
	now := svc.Now()
	code, _ := totp.GenerateCode(key.Secret(), now)
	codes, err := svc.EnableTwoFactor(alice, key.Secret(), code)
	if err != nil || len(codes) != 10 {
		t.Fatalf("enable: %d codes, %v", len(codes), err)
	}
	if on, left, _ := svc.TwoFactorStatus(alice); !on || left != 10 {
		t.Errorf("status = %v %d, want on with 10 codes", on, left)
	}
	if req, err := svc.TwoFactorRequired(ctx, hosting.ActorCustomer, "alice"); err != nil || !req {
		t.Errorf("required = %v, %v", req, err)
	}
	if req, _ := svc.TwoFactorRequired(ctx, hosting.ActorCustomer, "bob"); req {
		t.Error("bob requires two-factor")
	}

	for _, tc := range []struct {
		name, code string
		ok         bool
	}{
		{"ReplaySameStep", code, false},
		{"Wrong", "123456", false},
		{"Empty", "", false},
		{"NextStep", mustCode(t, key.Secret(), now.Add(30*time.Second)), true},
		{"Recovery", codes[3], true},
		{"RecoveryAgain", codes[3], false},
		{"RecoveryTyped", " " + codes[5][:9] + codes[5][10:] + " ", true}, // a dash left out
	} {
		err := svc.VerifyTwoFactor(ctx, hosting.ActorCustomer, "alice", tc.code, hosting.ViaWeb, "127.0.0.1")
		if (err == nil) != tc.ok {
			t.Errorf("%s: VerifyTwoFactor(%q) = %v, want ok=%v", tc.name, tc.code, err, tc.ok)
		}
		if err != nil && hosting.ErrorCode(err) != hosting.CodeUnauthorized {
			t.Errorf("%s: code %s, want unauthorized", tc.name, hosting.ErrorCode(err))
		}
	}
	if _, left, _ := svc.TwoFactorStatus(alice); left != 8 {
		t.Errorf("codes left = %d, want 8", left)
	}
	if err := svc.ResetTwoFactor(env.As(ctx, "bob"), hosting.ActorCustomer, "alice"); hosting.ErrorCode(err) != hosting.CodeForbidden {
		t.Errorf("bob resets alice: %v, want forbidden", err)
	}
	if err := svc.ResetTwoFactor(env.Admin(ctx), hosting.ActorCustomer, "alice"); err != nil {
		t.Fatal(err)
	}
	if on, _, _ := svc.TwoFactorStatus(alice); on {
		t.Error("still on after reset")
	}
	if err := svc.VerifyTwoFactor(ctx, hosting.ActorCustomer, "alice", "", hosting.ViaWeb, ""); err != nil {
		t.Errorf("verify with two-factor off: %v", err)
	}
	ev, err := svc.AuditEvents(env.Admin(ctx), hosting.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range ev {
		seen[e.Action]++
	}
	if seen["2fa.enable"] != 1 || seen["2fa.recovery_used"] != 2 || seen["2fa.reset"] != 1 {
		t.Errorf("audit actions %v, want one enable, two recovery_used, one reset", seen)
	}
}

func mustCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
