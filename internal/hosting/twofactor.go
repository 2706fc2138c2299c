package hosting

// TwoFactor is the two-factor sign-in state of a panel user (an admin or
// a customer): a TOTP secret (RFC 6238) and the hashes of the unused
// one-time recovery codes.
type TwoFactor struct {
	Kind     ActorKind // ActorAdmin or ActorCustomer
	ID       int64     // the admin's or customer's ID
	Secret   string    // base32 TOTP secret; "" = two-factor sign-in off
	Recovery []string  // SHA-256 (hex) of each unused recovery code
	LastStep int64     // last accepted TOTP time step (a code is used once)
}

// Enabled reports whether two-factor sign-in is on.
func (t *TwoFactor) Enabled() bool { return t != nil && t.Secret != "" }
