package hosting

import "time"

// QuotaClaim is one node's request to the store for room in an account's
// quota. The store holds, per account, used_bytes (what the home holds as
// far as anyone knows) and each node's reservation: bytes that node may
// still add beyond used_bytes. In one transaction, locked against every
// other claim of the account, the store
//
//   - adds Settle (the node's net growth since its last claim, may be
//     negative) to used_bytes, and raises it to at least Floor (the node's
//     own figure for the home);
//   - grants Want bytes, fewer (maybe 0) when used_bytes plus the live
//     reservations of the other nodes leave less under Limit;
//   - replaces the node's reservation with the grant, until Expires.
//
// So the nodes together never hold more than Limit − used_bytes.
type QuotaClaim struct {
	AccountID int64
	Node      string
	Settle    int64
	Floor     int64
	Want      int64
	Limit     int64     // bytes, ≥ 0
	Now       time.Time // reservations expiring before it are ignored
	Expires   time.Time
}

// QuotaGrant is the store's answer to a QuotaClaim.
type QuotaGrant struct {
	Granted int64 // the node's reservation now
	Used    int64 // used_bytes after the settlement
}
