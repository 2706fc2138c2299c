// Package password hashes new passwords with argon2id (PHC string) and verifies imported crypt(3) hashes.
//
// New hashes are always argon2id in the standard PHC string format
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>
//
// with salt and key in unpadded standard base64, as produced and accepted by
// the reference implementation (libargon2) and other PHC parsers.
//
// Verify additionally accepts hashes imported from other systems: bcrypt
// ($2a$, $2b$, $2y$), md5-crypt ($1$), sha256-crypt ($5$), sha512-crypt ($6$,
// including rounds=) and yescrypt ($y$, the parameter subset libxcrypt
// generates). After a successful Verify, NeedsUpgrade tells the caller whether
// to replace the stored hash with a fresh Hash of the same password.
//
// Stored hashes are treated as untrusted input: cost parameters read from an
// encoding are bounded (argon2id m ≤ 1 GiB, t ≤ 4096 and t·m ≤ 20 GiB, p ≤ 64, key ≤ 128 bytes;
// bcrypt cost ≤ 16; sha-crypt rounds ≤ 5,000,000; yescrypt ≤ 1 GiB) so that a
// crafted hash cannot exhaust memory or CPU; beyond that Verify returns
// ErrUnsupported. Passwords longer than 4096 bytes are refused by Hash and
// never match in Verify, which bounds the quadratic cost of sha-crypt in the
// password length.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/GehirnInc/crypt"
	"github.com/GehirnInc/crypt/md5_crypt"
	"github.com/GehirnInc/crypt/sha256_crypt"
	"github.com/GehirnInc/crypt/sha512_crypt"
	"github.com/openwall/yescrypt-go"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// ErrUnsupported is returned (wrapped with context) by Verify when the stored
// encoding is of an unknown scheme, malformed, or has parameters outside the
// accepted bounds. Test for it with errors.Is.
var ErrUnsupported = errors.New("password: unsupported hash encoding")

// Params are argon2id cost parameters.
type Params struct {
	// Time is the number of passes over memory (argon2 t).
	Time uint32
	// MemoryKiB is the memory cost in KiB (argon2 m).
	MemoryKiB uint32
	// Threads is the degree of parallelism (argon2 p, lanes).
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key (tag) in bytes.
	KeyLen uint32
}

// DefaultParams returns the parameters used by Hash: the OWASP-recommended
// argon2id configuration m=19456 KiB (19 MiB), t=2, p=1, with a 16-byte salt
// and a 32-byte key.
func DefaultParams() Params {
	return Params{Time: 2, MemoryKiB: 19456, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Scheme names returned by Scheme.
const (
	schemeArgon2id = "argon2id"
	schemeBcrypt   = "bcrypt"
	schemeMD5      = "md5-crypt"
	schemeSHA256   = "sha256-crypt"
	schemeSHA512   = "sha512-crypt"
	schemeYescrypt = "yescrypt"
)

// Bounds on untrusted input.
const (
	maxPasswordLen = 4096     // bytes; bounds sha-crypt's O(len²) work
	maxEncodedLen  = 1024     // bytes of a stored encoding
	maxMemoryKiB   = 1 << 20  // argon2 m: 1 GiB
	maxTime        = 4096     // argon2 t (pure-pw calibrates t into the hundreds at m=8 MiB)
	maxHashTime    = 20       // argon2 t of hashes made by HashWith
	maxWorkKiB     = 20 << 20 // argon2 t*m in KiB: the work of t=20 at 1 GiB
	maxThreads     = 64       // argon2 p
	minKeyLen      = 4        // argon2 minimum tag length (RFC 9106)
	maxKeyLen      = 128      // argon2 tag length
	minSaltLen     = 8        // argon2 minimum salt length (RFC 9106)
	maxSaltLen     = 256      // argon2 salt length
	maxBcryptCost  = 16       // 2^16 bcrypt rounds, a few seconds
	maxSHARounds   = 5000000  // sha256/sha512-crypt rounds=
	minSHARounds   = 1000     // glibc clamps lower values to this
	maxYescryptMem = 1 << 30  // bytes: 128*N*r
	crypt64        = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	bcrypt64       = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// b64 is the PHC salt/key encoding: unpadded standard base64, rejecting
// non-canonical trailing bits. A function rather than a package variable so
// the package holds no mutable state.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

// Hash hashes pw with argon2id and DefaultParams and returns the PHC string,
// e.g. "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>".
func Hash(pw string) (string, error) {
	return HashWith(pw, DefaultParams())
}

// HashWith hashes pw with argon2id and the given parameters and returns the
// PHC string. It fails if p is outside the bounds Verify accepts, with Time
// further limited to 1..20 for new hashes (Threads 1..64, MemoryKiB 8*Threads..1048576, SaltLen 8..256, KeyLen
// 4..128), if pw is longer than 4096 bytes, or if the system random source
// fails.
func HashWith(pw string, p Params) (string, error) {
	if len(pw) > maxPasswordLen {
		return "", fmt.Errorf("password: password longer than %d bytes", maxPasswordLen)
	}
	if err := checkParams(p.Time, p.MemoryKiB, uint32(p.Threads), p.SaltLen, p.KeyLen); err != nil {
		return "", fmt.Errorf("password: invalid argon2id params: %s", err)
	}
	if p.Time > maxHashTime {
		return "", fmt.Errorf("password: invalid argon2id params: t=%d outside 1..%d", p.Time, maxHashTime)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64().EncodeToString(salt), b64().EncodeToString(key)), nil
}

// Verify reports whether pw matches encoded. Supported encodings are argon2id
// (PHC, v=19), bcrypt ($2a$, $2b$, $2y$), md5-crypt ($1$), sha256-crypt ($5$)
// and sha512-crypt ($6$, with or without rounds=), and yescrypt ($y$).
//
// An unknown or malformed encoding, or one whose cost parameters exceed the
// package's bounds, returns ok=false and an error wrapping ErrUnsupported; a
// well-formed encoding that does not match returns ok=false, err=nil. A
// password longer than 4096 bytes never matches. Hash comparisons are
// constant-time.
func Verify(encoded, pw string) (ok bool, err error) {
	check, err := parse(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > maxPasswordLen {
		return false, nil
	}
	return check([]byte(pw))
}

// Check reports whether encoded is a hash Verify accepts: a known scheme,
// well formed, with cost parameters inside the package's bounds. It parses
// only and computes no hash, so that importing many hashes stays cheap; a
// nil error means Verify will compute (not refuse) for this encoding.
func Check(encoded string) error {
	_, err := parse(encoded)
	return err
}

// NeedsUpgrade reports whether encoded is anything other than a well-formed
// argon2id hash whose parameters are each at least those of DefaultParams
// (memory, time, threads, salt and key length). Callers rehash the password
// with Hash after a successful Verify when it returns true.
func NeedsUpgrade(encoded string) bool {
	h, err := parseArgon2id(encoded)
	if err != nil {
		return true
	}
	d := DefaultParams()
	return h.memory < d.MemoryKiB || h.time < d.Time || h.threads < d.Threads ||
		uint32(len(h.salt)) < d.SaltLen || uint32(len(h.key)) < d.KeyLen
}

// Scheme names the scheme of encoded: "argon2id", "bcrypt", "md5-crypt",
// "sha256-crypt", "sha512-crypt", "yescrypt", or "" if unknown. It looks only
// at the prefix and does not validate the rest of the encoding; Verify does.
func Scheme(encoded string) string {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		return schemeArgon2id
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return schemeBcrypt
	case strings.HasPrefix(encoded, md5_crypt.MagicPrefix):
		return schemeMD5
	case strings.HasPrefix(encoded, sha256_crypt.MagicPrefix):
		return schemeSHA256
	case strings.HasPrefix(encoded, sha512_crypt.MagicPrefix):
		return schemeSHA512
	case strings.HasPrefix(encoded, "$y$"):
		return schemeYescrypt
	}
	return ""
}

// checker computes the hash of pw under an already-validated encoding and
// compares it in constant time.
type checker func(pw []byte) (bool, error)

func unsupported(scheme, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrUnsupported, scheme, fmt.Sprintf(format, args...))
}

// parse validates encoded and returns the function that checks a password
// against it. It does no expensive work.
func parse(encoded string) (checker, error) {
	if len(encoded) > maxEncodedLen {
		return nil, fmt.Errorf("%w: encoding longer than %d bytes", ErrUnsupported, maxEncodedLen)
	}
	switch Scheme(encoded) {
	case schemeArgon2id:
		h, err := parseArgon2id(encoded)
		if err != nil {
			return nil, err
		}
		return h.check, nil
	case schemeBcrypt:
		return parseBcrypt(encoded)
	case schemeMD5:
		return parseMD5Crypt(encoded)
	case schemeSHA256:
		return parseSHACrypt(encoded, schemeSHA256, sha256_crypt.MagicPrefix, sha256_crypt.New, 43)
	case schemeSHA512:
		return parseSHACrypt(encoded, schemeSHA512, sha512_crypt.MagicPrefix, sha512_crypt.New, 86)
	case schemeYescrypt:
		return parseYescrypt(encoded)
	}
	return nil, fmt.Errorf("%w: unknown scheme", ErrUnsupported)
}

// checkParams validates argon2id parameters against the package bounds.
func checkParams(time, memory, threads, saltLen, keyLen uint32) error {
	switch {
	case time < 1 || time > maxTime:
		return fmt.Errorf("t=%d outside 1..%d", time, maxTime)
	case threads < 1 || threads > maxThreads:
		return fmt.Errorf("p=%d outside 1..%d", threads, maxThreads)
	case memory < 8*threads || memory > maxMemoryKiB:
		return fmt.Errorf("m=%d outside %d..%d", memory, 8*threads, maxMemoryKiB)
	case uint64(time)*uint64(memory) > maxWorkKiB:
		return fmt.Errorf("t*m=%d above %d", uint64(time)*uint64(memory), maxWorkKiB)
	case saltLen < minSaltLen || saltLen > maxSaltLen:
		return fmt.Errorf("salt length %d outside %d..%d", saltLen, minSaltLen, maxSaltLen)
	case keyLen < minKeyLen || keyLen > maxKeyLen:
		return fmt.Errorf("key length %d outside %d..%d", keyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// argon2idHash is a parsed and bounds-checked argon2id PHC string.
type argon2idHash struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

// parseArgon2id parses "$argon2id$v=19$m=M,t=T,p=P$salt$key" strictly.
func parseArgon2id(encoded string) (*argon2idHash, error) {
	if len(encoded) > maxEncodedLen {
		return nil, unsupported(schemeArgon2id, "encoding longer than %d bytes", maxEncodedLen)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, unsupported(schemeArgon2id, "want $argon2id$v=19$m=,t=,p=$salt$key")
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return nil, unsupported(schemeArgon2id, "missing version")
	}
	if n, err := parseDecimal(v, 0xff); err != nil || n != argon2.Version {
		return nil, unsupported(schemeArgon2id, "version must be v=%d", argon2.Version)
	}
	ps := strings.Split(parts[3], ",")
	if len(ps) != 3 {
		return nil, unsupported(schemeArgon2id, "want parameters m=,t=,p=")
	}
	var vals [3]uint32
	for i, name := range [3]string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(ps[i], name)
		if !ok {
			return nil, unsupported(schemeArgon2id, "want parameters m=,t=,p=")
		}
		n, err := parseDecimal(s, maxMemoryKiB)
		if err != nil {
			return nil, unsupported(schemeArgon2id, "parameter %s%s", name, err)
		}
		vals[i] = n
	}
	// Bound the encoded lengths before decoding.
	if len(parts[4]) > b64().EncodedLen(maxSaltLen) || len(parts[5]) > b64().EncodedLen(maxKeyLen) {
		return nil, unsupported(schemeArgon2id, "salt or key too long")
	}
	salt, err := b64().DecodeString(parts[4])
	if err != nil {
		return nil, unsupported(schemeArgon2id, "bad salt encoding")
	}
	key, err := b64().DecodeString(parts[5])
	if err != nil {
		return nil, unsupported(schemeArgon2id, "bad key encoding")
	}
	h := &argon2idHash{memory: vals[0], time: vals[1], salt: salt, key: key}
	if err := checkParams(h.time, h.memory, vals[2], uint32(len(salt)), uint32(len(key))); err != nil {
		return nil, unsupported(schemeArgon2id, "%s", err)
	}
	h.threads = uint8(vals[2]) // ≤ maxThreads after checkParams
	return h, nil
}

func (h *argon2idHash) check(pw []byte) (bool, error) {
	got := argon2.IDKey(pw, h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// parseDecimal parses a canonical unsigned decimal (digits only, no sign, no
// leading zeros) no greater than limit.
func parseDecimal(s string, limit uint32) (uint32, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("not a canonical decimal")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a canonical decimal")
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > uint64(limit) {
		return 0, fmt.Errorf("exceeds %d", limit)
	}
	return uint32(n), nil
}

// inAlphabet reports whether every byte of s is in alphabet.
func inAlphabet(s, alphabet string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// parseBcrypt validates "$2[aby]$CC$<22 salt><31 hash>".
func parseBcrypt(encoded string) (checker, error) {
	if len(encoded) != 60 || encoded[6] != '$' {
		return nil, unsupported(schemeBcrypt, "want $2b$CC$ and 53 characters")
	}
	c0, c1 := encoded[4], encoded[5]
	if c0 < '0' || c0 > '9' || c1 < '0' || c1 > '9' {
		return nil, unsupported(schemeBcrypt, "bad cost")
	}
	cost := int(c0-'0')*10 + int(c1-'0')
	if cost < bcrypt.MinCost || cost > maxBcryptCost {
		return nil, unsupported(schemeBcrypt, "cost %d outside %d..%d", cost, bcrypt.MinCost, maxBcryptCost)
	}
	if !inAlphabet(encoded[7:], bcrypt64) {
		return nil, unsupported(schemeBcrypt, "bad salt or hash encoding")
	}
	return func(pw []byte) (bool, error) {
		// CompareHashAndPassword compares in constant time.
		switch err := bcrypt.CompareHashAndPassword([]byte(encoded), pw); {
		case err == nil:
			return true, nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return false, nil
		default:
			return false, unsupported(schemeBcrypt, "%v", err)
		}
	}, nil
}

// cryptGenerate runs a GehirnInc crypter on setting and compares the result
// with encoded in constant time.
func cryptGenerate(scheme string, c crypt.Crypter, setting, encoded string) checker {
	return func(pw []byte) (bool, error) {
		got, err := c.Generate(pw, []byte(setting))
		if err != nil {
			return false, unsupported(scheme, "%v", err)
		}
		return subtle.ConstantTimeCompare([]byte(got), []byte(encoded)) == 1, nil
	}
}

// parseMD5Crypt validates "$1$<salt ≤ 8>$<22 chars>".
func parseMD5Crypt(encoded string) (checker, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 {
		return nil, unsupported(schemeMD5, "want $1$salt$hash")
	}
	salt, sum := parts[2], parts[3]
	// A salt starting with "rounds=" would be misread by the library; no
	// md5-crypt implementation emits one.
	if len(salt) > md5_crypt.SaltLenMax || strings.HasPrefix(salt, "rounds=") {
		return nil, unsupported(schemeMD5, "bad salt")
	}
	if len(sum) != 22 || !inAlphabet(sum, crypt64) {
		return nil, unsupported(schemeMD5, "bad hash encoding")
	}
	return cryptGenerate(schemeMD5, md5_crypt.New(), md5_crypt.MagicPrefix+salt, encoded), nil
}

// parseSHACrypt validates "$5$[rounds=N$]<salt ≤ 16>$<hash>" (or $6$).
func parseSHACrypt(encoded, scheme, prefix string, newCrypter func() crypt.Crypter, sumLen int) (checker, error) {
	rest := encoded[len(prefix):]
	setting := prefix
	if r, ok := strings.CutPrefix(rest, "rounds="); ok {
		digits, after, found := strings.Cut(r, "$")
		if !found {
			return nil, unsupported(scheme, "bad rounds=")
		}
		n, err := parseDecimal(digits, maxSHARounds)
		if err != nil {
			return nil, unsupported(scheme, "rounds=: %v", err)
		}
		if n < minSHARounds {
			return nil, unsupported(scheme, "rounds=%d below %d", n, minSHARounds)
		}
		setting += "rounds=" + digits + "$"
		rest = after
	}
	salt, sum, found := strings.Cut(rest, "$")
	if !found || strings.Contains(sum, "$") {
		return nil, unsupported(scheme, "want %ssalt$hash", prefix)
	}
	if len(salt) > 16 {
		return nil, unsupported(scheme, "salt longer than 16")
	}
	if len(sum) != sumLen || !inAlphabet(sum, crypt64) {
		return nil, unsupported(scheme, "bad hash encoding")
	}
	// The library would misparse "$6$rounds=N$salt$hash" if handed the full
	// encoding (salt and hash run together), so give it only the setting.
	return cryptGenerate(scheme, newCrypter(), setting+salt, encoded), nil
}

// parseYescrypt validates "$y$j<N><r>$<salt>$<43 chars>", the parameter
// subset the yescrypt-go module supports.
// canonicalYescryptSalt reports whether salt decodes as yescrypt's
// little-endian base64 does: groups of four characters give three bytes, a
// final group of two or three characters gives one or two bytes with its
// unused high bits clear, and a lone final character is invalid. The
// library refuses such salts only when hashing; Check must see it earlier.
func canonicalYescryptSalt(salt string) bool {
	rest := len(salt) % 4
	switch rest {
	case 1:
		return false
	case 2:
		return strings.IndexByte(crypt64, salt[len(salt)-1])>>2 == 0
	case 3:
		return strings.IndexByte(crypt64, salt[len(salt)-1])>>4 == 0
	}
	return true
}

func parseYescrypt(encoded string) (checker, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 {
		return nil, unsupported(schemeYescrypt, "want $y$params$salt$hash")
	}
	params, salt, sum := parts[2], parts[3], parts[4]
	if len(params) != 3 || params[0] != 'j' {
		return nil, unsupported(schemeYescrypt, "unsupported parameters")
	}
	nLog2 := strings.IndexByte(crypt64, params[1]) + 1
	r := strings.IndexByte(crypt64, params[2]) + 1
	// yescrypt-go supports N = 2^10..2^18 and r = 1..32; its memory use is
	// 128*N*r bytes, re-checked here so a library change cannot lift the cap.
	if nLog2 < 10 || nLog2 > 18 || r < 1 || r > 32 || uint64(128)*(uint64(1)<<nLog2)*uint64(r) > maxYescryptMem {
		return nil, unsupported(schemeYescrypt, "parameters out of range")
	}
	if salt == "" || !inAlphabet(salt, crypt64) || !canonicalYescryptSalt(salt) {
		return nil, unsupported(schemeYescrypt, "bad salt encoding")
	}
	if len(sum) != 43 || !inAlphabet(sum, crypt64) {
		return nil, unsupported(schemeYescrypt, "bad hash encoding")
	}
	setting := []byte(encoded[:len(encoded)-len(sum)])
	return func(pw []byte) (bool, error) {
		got, err := yescrypt.Hash(pw, setting)
		if err != nil {
			return false, unsupported(schemeYescrypt, "%v", err)
		}
		return subtle.ConstantTimeCompare(got, []byte(encoded)) == 1, nil
	}, nil
}
