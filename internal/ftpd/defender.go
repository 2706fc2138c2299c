package ftpd

import (
	"net/netip"
	"time"

	"ftpanel/internal/hosting"
)

// defender is the FTP side of the service's guard (hosting.Guard), which
// counts failed logins of every interface, bans addresses and shares the
// bans through the store: the server refuses a banned address at connect
// and at USER, without a store read, and its sync loop hands the guard the
// bans it reads (other nodes' bans, `ftpanel ban del`).
type defender struct{ g *hosting.Guard }

func newDefender(g *hosting.Guard) *defender { return &defender{g: g} }

// banned reports whether ip is banned (a safe-listed address never is).
func (d *defender) banned(ip netip.Addr, _ time.Time) bool { return d.g.Banned(ip) }

// replace installs the active bans read from the store at readAt.
func (d *defender) replace(list []*hosting.Ban, readAt time.Time) { d.g.ReplaceBans(list, readAt) }

// prune drops failure windows and bans that are over.
func (d *defender) prune(time.Time) { d.g.Prune() }
