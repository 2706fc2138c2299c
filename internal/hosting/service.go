package hosting

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
)

// Hasher hashes and verifies passwords; package password implements it.
type Hasher interface {
	// Hash returns an argon2id PHC string for pw.
	Hash(pw string) (string, error)
	// Verify reports whether pw matches the encoded hash (argon2id or an
	// imported crypt hash).
	Verify(encoded, pw string) (bool, error)
	// NeedsUpgrade reports whether encoded should be rehashed after a
	// successful login.
	NeedsUpgrade(encoded string) bool
}

// Service applies the rules of DESIGN §3 and authorization on top of a
// Store. Every interface acts through it.
type Service struct {
	store  Store
	policy Policy
	hasher Hasher
	now    func() time.Time
	log    *slog.Logger
	cache  *loginCache
	guard  *Guard
	// ChownAvailable says whether created folders can be given to a site's
	// system user (the process runs as root).
	chown bool

	// siteMu serializes the folder-and-row part of CreateSite in this
	// process, so that the loser of two racing creates of one site never
	// removes the root the winner made.
	siteMu sync.Mutex

	// homeMu serializes, in this process, resolving an account's home
	// (which may create folders) with the store write that follows: a
	// request that fails removes the folders it made, and must not remove
	// one that a concurrent request found and now relies on.
	homeMu sync.Mutex

	dummyOnce sync.Once
	dummy     string
}

// Options configure a Service beyond its required parts.
type Options struct {
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default discards
	// LoginCacheSize bounds the cache of successful FTP password
	// verifications (0 = 10000; negative disables it).
	LoginCacheSize int
	// LoginCacheTTL is how long a verification is reused (0 = 10 minutes).
	LoginCacheTTL time.Duration
	// Guard throttles and bans password guessing on every interface.
	Guard GuardConfig
}

// NewService returns a Service over store with the given policy.
func NewService(store Store, policy Policy, hasher Hasher, o Options) (*Service, error) {
	if err := policy.Validate(); err != nil {
		return nil, fmt.Errorf("hosting: policy: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	size := o.LoginCacheSize
	if size == 0 {
		size = 10000
	}
	ttl := o.LoginCacheTTL
	if ttl == 0 {
		ttl = 10 * time.Minute
	}
	s := &Service{store: store, policy: policy, hasher: hasher, now: o.Now, log: o.Logger,
		chown: os.Geteuid() == 0}
	if size > 0 {
		s.cache = newLoginCache(size, ttl)
	}
	s.guard = newGuard(store, s.now, s.log, o.Guard)
	return s, nil
}

// Guard returns the throttle and defender of the service's password checks.
func (s *Service) Guard() *Guard { return s.guard }

// Policy returns the service's policy.
func (s *Service) Policy() Policy { return s.policy }

// Now returns the service's clock reading in UTC, to the microsecond (what
// every store keeps, so that a copy between stores is exact).
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) actor(ctx context.Context) (Actor, error) {
	a, ok := ActorFrom(ctx)
	if !ok || a.Kind == "" {
		return Actor{}, Errorf(CodeUnauthorized, "not authenticated")
	}
	return a, nil
}

func (s *Service) admin(ctx context.Context) (Actor, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return a, err
	}
	if !a.IsAdmin() {
		return a, Errorf(CodeForbidden, "only administrators may do this")
	}
	return a, nil
}

// ownScope narrows a customer actor's filter to its own customer ID; it
// returns false when the filter names another customer, whose objects the
// actor may not see (the caller answers with an empty list).
func ownScope(a Actor, id **int64) bool {
	if *id != nil && **id != a.CustomerID {
		return false
	}
	v := a.CustomerID
	*id = &v
	return true
}

// event builds the audit event for a change by the context's actor.
func (s *Service) event(ctx context.Context, action, objType string, id int64, name string, customerID int64, detail string) *AuditEvent {
	a, _ := ActorFrom(ctx)
	return &AuditEvent{Time: s.Now(), ActorKind: a.Kind, Actor: a.Login, CustomerID: customerID, Via: a.Via,
		RemoteAddr: a.RemoteAddr, Action: action, ObjectType: objType, ObjectID: id, ObjectName: name, Detail: detail}
}

func (s *Service) hash(pw string) (string, error) {
	h, err := s.hasher.Hash(pw)
	if err != nil {
		return "", &Error{Code: CodeInternal, Message: "cannot hash the password", Err: err}
	}
	return h, nil
}

// passwordOrGenerate checks pw against the policy, or generates one when
// pw is "" and generate is set; it returns the hash and the generated
// password ("" when pw was given).
func (s *Service) passwordOrGenerate(pw, login string, generate bool) (hash, generated string, err error) {
	if pw == "" && generate {
		if pw, err = s.policy.GeneratePassword(); err != nil {
			return "", "", &Error{Code: CodeInternal, Message: "cannot generate a password", Err: err}
		}
		generated = pw
	} else if err := s.policy.CheckPassword(pw, login); err != nil {
		return "", "", err
	}
	hash, err = s.hash(pw)
	return hash, generated, err
}

// NormalizeDomain returns the ASCII (punycode) form of a domain name, lower
// case, without a trailing dot, or invalid_input.
func NormalizeDomain(name string) (string, error) {
	n := strings.TrimSuffix(strings.TrimSpace(name), ".")
	if n == "" {
		return "", FieldErrorf(CodeInvalidInput, "name", "domain is empty")
	}
	a, err := idna.Lookup.ToASCII(strings.ToLower(n))
	if err != nil || len(a) > 253 || !strings.Contains(a, ".") {
		return "", &Error{Code: CodeInvalidInput, Field: "name", Message: fmt.Sprintf("%q is not a valid domain name", name), Err: err}
	}
	for _, l := range strings.Split(a, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", FieldErrorf(CodeInvalidInput, "name", "%q is not a valid domain name", name)
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", FieldErrorf(CodeInvalidInput, "name", "%q is not a valid domain name", name)
			}
		}
	}
	return a, nil
}

// DisplayDomain returns the Unicode form of an ASCII domain for display.
func DisplayDomain(name string) string {
	u, err := idna.Display.ToUnicode(name)
	if err != nil {
		return name
	}
	return u
}

// loginCache remembers successful FTP password verifications so that
// repeated logins do not pay the full hash cost. An entry is bound to the
// stored hash it was verified against: a password change anywhere (another
// node included) changes the hash and so invalidates it.
type loginCache struct {
	mu   sync.Mutex
	key  [32]byte
	max  int
	ttl  time.Duration
	data map[string]cacheEntry
}

type cacheEntry struct {
	hash   string
	digest [32]byte
	at     time.Time
}

func newLoginCache(size int, ttl time.Duration) *loginCache {
	c := &loginCache{max: size, ttl: ttl, data: make(map[string]cacheEntry)}
	_, _ = rand.Read(c.key[:])
	return c
}

func (c *loginCache) digest(login, pw string) [32]byte {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte(login))
	m.Write([]byte{0})
	m.Write([]byte(pw))
	var d [32]byte
	copy(d[:], m.Sum(nil))
	return d
}

func (c *loginCache) ok(login, hash, pw string, now time.Time) bool {
	if c == nil {
		return false
	}
	d := c.digest(login, pw)
	c.mu.Lock()
	e, found := c.data[login]
	c.mu.Unlock()
	return found && e.hash == hash && now.Sub(e.at) < c.ttl && hmac.Equal(e.digest[:], d[:])
}

func (c *loginCache) put(login, hash, pw string, now time.Time) {
	if c == nil {
		return
	}
	d := c.digest(login, pw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.data) >= c.max {
		for k, e := range c.data { // evict expired first, else an arbitrary tenth
			if now.Sub(e.at) >= c.ttl {
				delete(c.data, k)
			}
		}
		n := max(1, c.max/10) // at least one, or a cache under 10 entries would grow without bound
		for k := range c.data {
			if len(c.data) < c.max || n <= 0 {
				break
			}
			delete(c.data, k)
			n--
		}
	}
	c.data[login] = cacheEntry{hash: hash, digest: d, at: now}
}

func (c *loginCache) forget(login string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.data, login)
	c.mu.Unlock()
}

// isCode reports whether err carries code.
func isCode(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}
