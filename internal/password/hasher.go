package password

// Hasher adapts this package to hosting.Hasher: new hashes are argon2id,
// verification accepts every supported scheme.
type Hasher struct{}

// Hash returns an argon2id PHC string for pw.
func (Hasher) Hash(pw string) (string, error) { return Hash(pw) }

// Verify reports whether pw matches encoded.
func (Hasher) Verify(encoded, pw string) (bool, error) { return Verify(encoded, pw) }

// NeedsUpgrade reports whether encoded should be rehashed after a login.
func (Hasher) NeedsUpgrade(encoded string) bool { return NeedsUpgrade(encoded) }

// CheckEncoding reports whether encoded is a supported, well-formed hash
// without computing anything expensive (see Check).
func (Hasher) CheckEncoding(encoded string) error { return Check(encoded) }
