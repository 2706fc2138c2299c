package hosting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor sign-in (issue 12): TOTP (RFC 6238: SHA-1, 6 digits, 30 s,
// one step of clock skew either way) plus ten one-time recovery codes,
// stored as SHA-256 hashes (each code carries 80 random bits).
const (
	totpPeriod     = 30
	totpSkew       = 1
	recoveryCount  = 10
	recoveryAlpha  = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i
	recoveryGroups = 4                                 // xxxx-xxxx-xxxx-xxxx
)

// totpOpts are the TOTP parameters every authenticator app supports.
var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: totpSkew, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// twoFactorOf returns the two-factor state of the panel user login
// (admin or customer) with the user's kind and customer ID.
func (s *Service) twoFactorOf(ctx context.Context, kind ActorKind, login string) (*TwoFactor, int64, error) {
	var id, customerID int64
	switch kind {
	case ActorAdmin:
		a, err := s.store.AdminByLogin(ctx, login)
		if err != nil {
			return nil, 0, err
		}
		id = a.ID
	case ActorCustomer:
		c, err := s.store.CustomerByLogin(ctx, login)
		if err != nil {
			return nil, 0, err
		}
		id, customerID = c.ID, c.ID
	default:
		return nil, 0, Errorf(CodeInvalidInput, "two-factor sign-in is for admins and customers")
	}
	t, err := s.store.TwoFactor(ctx, kind, id)
	return t, customerID, err
}

// self returns the signed-in panel user (admin or customer).
func (s *Service) self(ctx context.Context) (Actor, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return a, err
	}
	if a.Kind != ActorAdmin && a.Kind != ActorCustomer {
		return a, Errorf(CodeForbidden, "only panel users have two-factor sign-in")
	}
	return a, nil
}

// TwoFactorStatus reports whether the signed-in user has two-factor
// sign-in on and how many recovery codes are left.
func (s *Service) TwoFactorStatus(ctx context.Context) (enabled bool, codesLeft int, err error) {
	const opName = "hosting.TwoFactorStatus"
	a, err := s.self(ctx)
	if err != nil {
		return false, 0, op(opName, err)
	}
	t, _, err := s.twoFactorOf(ctx, a.Kind, a.Login)
	if err != nil {
		return false, 0, op(opName, err)
	}
	return t.Enabled(), len(t.Recovery), nil
}

// TwoFactorRequired reports whether the panel user login of kind must
// give a second factor after the password. It needs no actor: sign-in
// asks it between the password and the code.
func (s *Service) TwoFactorRequired(ctx context.Context, kind ActorKind, login string) (bool, error) {
	t, _, err := s.twoFactorOf(ctx, kind, login)
	if err != nil {
		return false, op("hosting.TwoFactorRequired", err)
	}
	return t.Enabled(), nil
}

// NewTwoFactorKey makes a TOTP secret for the signed-in user to enrol
// (shown as a QR code); nothing is stored until EnableTwoFactor confirms
// it with a code from the app.
func (s *Service) NewTwoFactorKey(ctx context.Context, issuer string) (*otp.Key, error) {
	const opName = "hosting.NewTwoFactorKey"
	a, err := s.self(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: a.Login, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, op(opName, Errorf(CodeInternal, "generate TOTP secret: %v", err))
	}
	return k, nil
}

// matchTOTP returns the time step of code under secret near now, or 0.
func matchTOTP(secret, code string, now time.Time, after int64) int64 {
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		st := step + d
		if st <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st
		}
	}
	return 0
}

// normCode strips spaces and dashes and lower-cases a typed code.
func normCode(code string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(code))
}

func hashRecovery(code string) string {
	sum := sha256.Sum256([]byte("ftpanel-recovery:" + normCode(code)))
	return hex.EncodeToString(sum[:])
}

// newRecoveryCodes returns ten codes and their hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range recoveryCount {
		b := make([]byte, 4*recoveryGroups)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, Errorf(CodeInternal, "random: %v", err)
		}
		var sb strings.Builder
		for i, c := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlpha[int(c)%len(recoveryAlpha)])
		}
		codes = append(codes, sb.String())
		hashes = append(hashes, hashRecovery(sb.String()))
	}
	return codes, hashes, nil
}

// EnableTwoFactor turns two-factor sign-in on for the signed-in user with
// secret (from NewTwoFactorKey), once code shows the app has it. It
// returns the ten recovery codes, to be shown once.
func (s *Service) EnableTwoFactor(ctx context.Context, secret, code string) ([]string, error) {
	const opName = "hosting.EnableTwoFactor"
	a, err := s.self(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	prev, customerID, err := s.twoFactorOf(ctx, a.Kind, a.Login)
	if err != nil {
		return nil, op(opName, err)
	}
	if prev.Enabled() {
		return nil, op(opName, Errorf(CodeConflict, "two-factor sign-in is already on; turn it off first"))
	}
	step := matchTOTP(secret, normCode(code), s.Now(), 0)
	if step == 0 {
		return nil, op(opName, FieldErrorf(CodeUnauthorized, "code", "the code does not match; check the time of your phone and enter the current code"))
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, op(opName, err)
	}
	next := &TwoFactor{Kind: a.Kind, ID: prev.ID, Secret: secret, Recovery: hashes, LastStep: step}
	if err := s.store.UpdateTwoFactor(ctx, next, prev, s.event(ctx, "2fa.enable", string(a.Kind), prev.ID, a.Login, customerID, "")); err != nil {
		return nil, op(opName, err)
	}
	return codes, nil
}

// VerifyTwoFactor checks the second factor of the panel user login of
// kind at sign-in: a current TOTP code (each used once) or an unused
// recovery code (then used up). A wrong code is unauthorized. It needs
// no actor; via and remote go to the audit log of a used recovery code.
func (s *Service) VerifyTwoFactor(ctx context.Context, kind ActorKind, login, code string, via Via, remote string) error {
	const opName = "hosting.VerifyTwoFactor"
	fail := FieldErrorf(CodeUnauthorized, "code", "wrong code")
	c := normCode(code)
	for attempt := 0; attempt < 3; attempt++ {
		prev, customerID, err := s.twoFactorOf(ctx, kind, login)
		if err != nil {
			return op(opName, err)
		}
		if !prev.Enabled() {
			return nil
		}
		if c == "" || len(c) > 64 {
			return op(opName, fail)
		}
		next := *prev
		action := ""
		if st := matchTOTP(prev.Secret, c, s.Now(), prev.LastStep); st != 0 {
			next.LastStep = st
		} else {
			h := hashRecovery(c)
			next.Recovery = nil
			for _, r := range prev.Recovery {
				if subtle.ConstantTimeCompare([]byte(r), []byte(h)) == 1 && action == "" {
					action = "2fa.recovery_used"
					continue
				}
				next.Recovery = append(next.Recovery, r)
			}
			if action == "" {
				return op(opName, fail)
			}
		}
		var ev *AuditEvent
		if action != "" {
			actx := WithActor(ctx, Actor{Kind: kind, Login: login, CustomerID: customerID, Via: via, RemoteAddr: remote})
			ev = s.event(actx, action, string(kind), prev.ID, login, customerID, "")
		}
		err = s.store.UpdateTwoFactor(ctx, &next, prev, ev)
		if !isCode(err, CodeConflict) {
			return op(opName, err)
		}
	}
	return op(opName, fail)
}

// DisableTwoFactor turns two-factor sign-in off for the signed-in user,
// who proves it with a current code or a recovery code.
func (s *Service) DisableTwoFactor(ctx context.Context, code string) error {
	const opName = "hosting.DisableTwoFactor"
	a, err := s.self(ctx)
	if err != nil {
		return op(opName, err)
	}
	if err := s.VerifyTwoFactor(ctx, a.Kind, a.Login, code, a.Via, a.RemoteAddr); err != nil {
		return err
	}
	return op(opName, s.clearTwoFactor(ctx, a.Kind, a.Login, "2fa.disable"))
}

// ResetTwoFactor turns two-factor sign-in off for the panel user login of
// kind, who lost the phone and the recovery codes (administrators only:
// `ftpanel admin|customer 2fa reset LOGIN`).
func (s *Service) ResetTwoFactor(ctx context.Context, kind ActorKind, login string) error {
	const opName = "hosting.ResetTwoFactor"
	if _, err := s.admin(ctx); err != nil {
		return op(opName, err)
	}
	return op(opName, s.clearTwoFactor(ctx, kind, login, "2fa.reset"))
}

func (s *Service) clearTwoFactor(ctx context.Context, kind ActorKind, login, action string) error {
	prev, customerID, err := s.twoFactorOf(ctx, kind, login)
	if err != nil {
		return err
	}
	next := &TwoFactor{Kind: kind, ID: prev.ID}
	return s.store.UpdateTwoFactor(ctx, next, prev, s.event(ctx, action, string(kind), prev.ID, login, customerID, ""))
}

// recordLoginAddr stores the client address of an FTP login when it
// changed (issue 12: the panel's cards show it); a failure is logged.
func (s *Service) recordLoginAddr(ctx context.Context, a *Account, ip netip.Addr) {
	addr := ip.String()
	if !ip.IsValid() || addr == a.LastLoginAddr {
		return
	}
	if err := s.store.SetLastLoginAddr(ctx, a.ID, addr); err != nil {
		s.log.Warn("record login address", "login", a.Login, "err", err)
		return
	}
	a.LastLoginAddr = addr
}
