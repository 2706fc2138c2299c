package hosting

import "time"

// TokenKind distinguishes bearer tokens from HestiaCP access keys.
type TokenKind string

// Token kinds.
const (
	TokenAPI    TokenKind = "api"
	TokenHestia TokenKind = "hestia"
)

// Token is an API credential. Only a hash of its secret is stored.
type Token struct {
	ID            int64      `json:"id"`
	Kind          TokenKind  `json:"kind"`
	Key           string     `json:"key"` // public part: bearer token prefix or Hestia access key
	SecretHash    string     `json:"-"`
	Admin         bool       `json:"admin"`
	CustomerID    int64      `json:"customer_id,omitempty"`
	CustomerLogin string     `json:"customer,omitempty"` // filled by the store
	Description   string     `json:"description"`
	CreatedAt     time.Time  `json:"created_at"`
	LastUsedAt    *time.Time `json:"last_used_at,omitempty"`
}

// TokenFilter selects tokens.
type TokenFilter struct {
	CustomerID *int64
	Kind       *TokenKind
}
