package hosting

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// AuthenticatePanel checks panel credentials (administrators first, then
// customers) and returns the actor. Errors: unauthorized, suspended.
func (s *Service) AuthenticatePanel(ctx context.Context, login, password string, via Via, remote string) (Actor, error) {
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
// cached), then expiry, allowed addresses and effective status. Errors:
// unauthorized (unknown login, wrong password, expired), forbidden (address
// not allowed), suspended.
func (s *Service) AuthenticateFTP(ctx context.Context, login, password string, ip netip.Addr) (*Account, error) {
	const opName = "hosting.AuthenticateFTP"
	fail := Errorf(CodeUnauthorized, "wrong login or password")
	if login == "" || password == "" || len(login) > 128 || len(password) > 1024 {
		return nil, op(opName, fail)
	}
	a, err := s.store.AccountByLogin(ctx, login)
	if err != nil {
		if isCode(err, CodeNotFound) {
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
		return Actor{}, op(opName, fail)
	}
	key, secret, ok := strings.Cut(rest, "_")
	if !ok || len(key) != apiKeyLen {
		return Actor{}, op(opName, fail)
	}
	return s.checkToken(ctx, TokenAPI, key, secret, via, remote)
}

// AuthenticateHestiaKey checks a HestiaCP access key and secret key pair.
func (s *Service) AuthenticateHestiaKey(ctx context.Context, access, secret string, via Via, remote string) (Actor, error) {
	if len(access) != hestiaKeyLen || secret == "" || len(secret) > maxTokenLength {
		return Actor{}, op("hosting.AuthenticateHestiaKey", Errorf(CodeUnauthorized, "invalid access key or secret key"))
	}
	return s.checkToken(ctx, TokenHestia, access, secret, via, remote)
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
// unknown panel login answers as slowly as a wrong password.
func (s *Service) verifyDummy(password string) {
	s.dummyOnce.Do(func() { s.dummy, _ = s.hasher.Hash("dummy password for timing") })
	_, _ = s.hasher.Verify(s.dummy, password)
}
