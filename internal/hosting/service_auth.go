package hosting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// AuthenticatePanel checks panel credentials (administrators first, then
// customers) from the client address remote and returns the actor; the
// check goes through the Guard (see LoginRefused). Errors: unauthorized,
// suspended.
func (s *Service) AuthenticatePanel(ctx context.Context, login, password string, via Via, remote string) (Actor, error) {
	const opName = "hosting.AuthenticatePanel"
	at, err := s.guard.begin(ctx, via, remote, "panel", login)
	if err != nil {
		return Actor{}, op(opName, refusal(err))
	}
	a, err := s.authenticatePanel(ctx, login, password, via, remote)
	return a, op(opName, settle(at, err))
}

func (s *Service) authenticatePanel(ctx context.Context, login, password string, via Via, remote string) (Actor, error) {
	const opName = "hosting.AuthenticatePanel"
	fail := Errorf(CodeUnauthorized, "wrong login or password")
	if login == "" || password == "" || len(password) > 1024 {
		return Actor{}, op(opName, fail)
	}
	if ad, err := s.store.AdminByLogin(ctx, login); err == nil {
		ok, _ := s.hasher.Verify(ad.PasswordHash, password)
		if !ok {
			return Actor{}, op(opName, fail)
		}
		return Actor{Kind: ActorAdmin, Login: ad.Login, Via: via, RemoteAddr: remote}, nil
	} else if !isCode(err, CodeNotFound) {
		return Actor{}, op(opName, err)
	}
	c, err := s.store.CustomerByLogin(ctx, login)
	if err != nil {
		if isCode(err, CodeNotFound) {
			s.verifyDummy(password)
			return Actor{}, op(opName, fail)
		}
		return Actor{}, op(opName, err)
	}
	if ok, _ := s.hasher.Verify(c.PasswordHash, password); !ok {
		return Actor{}, op(opName, fail)
	}
	if c.Status == StatusSuspended {
		return Actor{}, op(opName, Errorf(CodeSuspended, "customer %s is suspended", c.Login))
	}
	return Actor{Kind: ActorCustomer, Login: c.Login, CustomerID: c.ID, Via: via, RemoteAddr: remote}, nil
}

// AuthenticateFTP checks an FTP login from ip: the password (argon2id or an
// imported hash, upgraded to argon2id after success; successful checks are
// cached), then expiry, allowed addresses and effective status. The check
// goes through the Guard (see LoginRefused, BanStarted); an unknown login
// costs one password verification too, so that timing does not tell
// which logins exist. Errors: unauthorized (unknown login, wrong
// password, expired, refused by the guard), forbidden (address not
// allowed), suspended.
func (s *Service) AuthenticateFTP(ctx context.Context, login, password string, ip netip.Addr) (*Account, error) {
	return s.AuthenticateAccount(ctx, ViaFTP, login, password, ip)
}

// AuthenticateAccount is AuthenticateFTP for any file protocol (FTP,
// SFTP): via names it in logs, audit events and bans.
func (s *Service) AuthenticateAccount(ctx context.Context, via Via, login, password string, ip netip.Addr) (*Account, error) {
	const opName = "hosting.AuthenticateFTP"
	remote := ""
	if ip.IsValid() {
		remote = ip.String()
	}
	at, err := s.guard.begin(ctx, via, remote, "account", login)
	if err != nil {
		return nil, op(opName, refusal(err))
	}
	a, err := s.authenticateAccount(ctx, login, password, ip)
	return a, op(opName, settle(at, err))
}

func (s *Service) authenticateAccount(ctx context.Context, login, password string, ip netip.Addr) (*Account, error) {
	const opName = "hosting.AuthenticateFTP"
	fail := Errorf(CodeUnauthorized, "wrong login or password")
	if login == "" || password == "" || len(login) > 128 || len(password) > 1024 {
		return nil, op(opName, fail)
	}
	a, err := s.store.AccountByLogin(ctx, login)
	if err != nil {
		if isCode(err, CodeNotFound) {
			s.verifyDummy(password)
			return nil, op(opName, fail)
		}
		return nil, op(opName, err)
	}
	now := s.Now()
	newHash := ""
	if !s.cache.ok(a.Login, a.PasswordHash, password, now) {
		ok, err := s.hasher.Verify(a.PasswordHash, password)
		if err != nil || !ok {
			return nil, op(opName, fail)
		}
		if s.hasher.NeedsUpgrade(a.PasswordHash) {
			if h, err := s.hasher.Hash(password); err == nil {
				newHash = h
			}
		}
		s.cache.put(a.Login, firstNonEmpty(newHash, a.PasswordHash), password, now)
	}
	if a.Expired(now) {
		return nil, op(opName, Errorf(CodeUnauthorized, "account %s has expired", a.Login))
	}
	if !a.AllowsIP(ip) {
		return nil, op(opName, Errorf(CodeForbidden, "account %s may not log in from %s", a.Login, ip))
	}
	if a.EffectiveStatus() == StatusSuspended {
		return nil, op(opName, Errorf(CodeSuspended, "account %s is suspended", a.Login))
	}
	// Last-login time is written at most once a minute per account, so that
	// login storms do not turn into write storms; hash upgrades always are.
	if newHash != "" || a.LastLoginAt == nil || now.Sub(*a.LastLoginAt) > time.Minute || (ip.IsValid() && a.LastLoginAddr != ip.String()) {
		s.recordLoginAddr(ctx, a, ip)
		if err := s.store.RecordLogin(ctx, a.ID, now, a.PasswordHash, newHash); err != nil {
			s.log.Warn("record login", "login", a.Login, "err", err)
		} else if newHash != "" {
			a.PasswordHash = newHash
		}
		a.LastLoginAt = &now
	}
	return a, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TokenCreate is the input of Service.CreateToken.
type TokenCreate struct {
	Kind        TokenKind // api (default) or hestia
	Admin       bool
	Customer    string // customer login, when not Admin
	Description string
}

// NewToken is a created token with its secret, shown once.
type NewToken struct {
	Token *Token
	// Secret is the bearer token for api tokens ("ftpanel_<key>_<secret>"),
	// or the 40-character secret key of a hestia access key.
	Secret string
}

const (
	keyAlphabet    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	bearerPrefix   = "ftpanel_"
	hestiaKeyLen   = 20
	hestiaSecLen   = 40
	apiKeyLen      = 12
	apiSecretLen   = 32
	maxTokenLength = 200
)

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	for i := range b {
		b[i] = keyAlphabet[int(b[i])%len(keyAlphabet)] // 256 % 62 bias is negligible for secrets of this length
	}
	return string(b), nil
}

func secretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateToken issues an API token or a HestiaCP access key. Admin only.
func (s *Service) CreateToken(ctx context.Context, in TokenCreate) (*NewToken, error) {
	const opName = "hosting.CreateToken"
	if _, err := s.admin(ctx); err != nil {
		return nil, op(opName, err)
	}
	if in.Kind == "" {
		in.Kind = TokenAPI
	}
	if in.Kind != TokenAPI && in.Kind != TokenHestia {
		return nil, op(opName, FieldErrorf(CodeInvalidInput, "kind", "unknown token kind %q", in.Kind))
	}
	if err := checkText("description", in.Description, 200); err != nil {
		return nil, op(opName, err)
	}
	t := &Token{Kind: in.Kind, Admin: in.Admin, Description: in.Description, CreatedAt: s.Now()}
	if in.Admin == (in.Customer != "") {
		return nil, op(opName, FieldErrorf(CodeInvalidInput, "customer", "a token is either for an admin or for one customer"))
	}
	if !in.Admin {
		c, err := s.store.CustomerByLogin(ctx, in.Customer)
		if err != nil {
			return nil, op(opName, err)
		}
		t.CustomerID, t.CustomerLogin = c.ID, c.Login
	}
	klen, slen := apiKeyLen, apiSecretLen
	if in.Kind == TokenHestia {
		klen, slen = hestiaKeyLen, hestiaSecLen
	}
	key, err := randomString(klen)
	if err != nil {
		return nil, op(opName, err)
	}
	secret, err := randomString(slen)
	if err != nil {
		return nil, op(opName, err)
	}
	t.Key, t.SecretHash = key, secretHash(secret)
	owner := "admin"
	if !in.Admin {
		owner = "customer " + t.CustomerLogin
	}
	if err := s.store.CreateToken(ctx, t, s.event(ctx, "token.create", "token", 0, key, t.CustomerID, string(in.Kind)+" token for "+owner)); err != nil {
		return nil, op(opName, err)
	}
	out := &NewToken{Token: t, Secret: secret}
	if in.Kind == TokenAPI {
		out.Secret = bearerPrefix + key + "_" + secret
	}
	return out, nil
}

// Tokens lists tokens. Admin only.
func (s *Service) Tokens(ctx context.Context, f TokenFilter) ([]*Token, error) {
	if _, err := s.admin(ctx); err != nil {
		return nil, op("hosting.Tokens", err)
	}
	return s.store.Tokens(ctx, f)
}

// DeleteToken revokes a token by its public key. Admin only.
func (s *Service) DeleteToken(ctx context.Context, key string) error {
	const opName = "hosting.DeleteToken"
	if _, err := s.admin(ctx); err != nil {
		return op(opName, err)
	}
	t, err := s.store.TokenByKey(ctx, key)
	if err != nil {
		return op(opName, err)
	}
	return op(opName, s.store.DeleteToken(ctx, t.ID, s.event(ctx, "token.delete", "token", t.ID, t.Key, t.CustomerID, "")))
}

// AuthenticateToken checks a bearer token ("ftpanel_<key>_<secret>") and
// returns its actor. Errors: unauthorized, suspended (customer suspended).
func (s *Service) AuthenticateToken(ctx context.Context, bearer string, via Via, remote string) (Actor, error) {
	const opName = "hosting.AuthenticateToken"
	fail := Errorf(CodeUnauthorized, "invalid or revoked token")
	rest, ok := strings.CutPrefix(bearer, bearerPrefix)
	if !ok || len(bearer) > maxTokenLength {
		rest = ""
	}
	key, secret, ok := strings.Cut(rest, "_")
	at, err := s.guard.begin(ctx, via, remote, "token", tokenLoginKey(key))
	if err != nil {
		return Actor{}, op(opName, refusal(err))
	}
	if !ok || len(key) != apiKeyLen {
		return Actor{}, op(opName, settle(at, fail))
	}
	a, err := s.checkToken(ctx, TokenAPI, key, secret, via, remote)
	return a, op(opName, settle(at, err))
}

// AuthenticateHestiaKey checks a HestiaCP access key and secret key pair,
// through the Guard.
func (s *Service) AuthenticateHestiaKey(ctx context.Context, access, secret string, via Via, remote string) (Actor, error) {
	const opName = "hosting.AuthenticateHestiaKey"
	at, err := s.guard.begin(ctx, via, remote, "token", tokenLoginKey(access))
	if err != nil {
		return Actor{}, op(opName, refusal(err))
	}
	if len(access) != hestiaKeyLen || secret == "" || len(secret) > maxTokenLength {
		return Actor{}, op(opName, settle(at, Errorf(CodeUnauthorized, "invalid access key or secret key")))
	}
	a, err := s.checkToken(ctx, TokenHestia, access, secret, via, remote)
	return a, op(opName, settle(at, err))
}

// tokenLoginKey returns the public key of a token as the guard's login,
// or "" when it is not one (then only the address is counted).
func tokenLoginKey(key string) string {
	if key == "" || len(key) > 64 {
		return ""
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return key
}

// refusal turns a guard refusal into the unauthorized error callers show.
func refusal(err error) error {
	var te *ThrottleError
	if !errors.As(err, &te) {
		return err
	}
	msg := "too many failed logins from your address; try again later"
	if te.Login {
		msg = "too many failed logins for this login; try again later"
	}
	return &Error{Code: CodeUnauthorized, Message: msg, Err: te}
}

// settle ends a guarded check with its result: an unauthorized error
// counts as a failure; when the failure starts a ban, the error carries
// it (see BanStarted).
func settle(at *attempt, err error) error {
	b := at.end(ErrorCode(err) == CodeUnauthorized)
	if b == nil {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Err = &ThrottleError{Until: b.Until, Ban: b}
		return &c
	}
	return err
}

func (s *Service) checkToken(ctx context.Context, kind TokenKind, key, secret string, via Via, remote string) (Actor, error) {
	const opName = "hosting.checkToken"
	fail := Errorf(CodeUnauthorized, "invalid or revoked token")
	t, err := s.store.TokenByKey(ctx, key)
	if err != nil {
		if isCode(err, CodeNotFound) {
			return Actor{}, op(opName, fail)
		}
		return Actor{}, op(opName, err)
	}
	if t.Kind != kind || subtle.ConstantTimeCompare([]byte(t.SecretHash), []byte(secretHash(secret))) != 1 {
		return Actor{}, op(opName, fail)
	}
	now := s.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = s.store.TouchToken(ctx, t.ID, now)
	}
	if t.Admin {
		return Actor{Kind: ActorAdmin, Login: "token:" + t.Key, Via: via, RemoteAddr: remote, TokenID: t.ID}, nil
	}
	c, err := s.store.CustomerByID(ctx, t.CustomerID)
	if err != nil {
		return Actor{}, op(opName, fail)
	}
	if c.Status == StatusSuspended {
		return Actor{}, op(opName, Errorf(CodeSuspended, "customer %s is suspended", c.Login))
	}
	return Actor{Kind: ActorCustomer, Login: c.Login, CustomerID: c.ID, Via: via, RemoteAddr: remote, TokenID: t.ID}, nil
}

// verifyDummy spends the time of one password verification, so that an
// unknown login answers as slowly as a wrong password. The dummy hash is
// an argon2id hash of a fixed text, made once per service by its hasher
// (so with the parameters real hashes have).
func (s *Service) verifyDummy(password string) {
	s.dummyOnce.Do(func() { s.dummy, _ = s.hasher.Hash("dummy password for timing") })
	_, _ = s.hasher.Verify(s.dummy, password)
}
