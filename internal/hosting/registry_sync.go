package hosting

import (
	"context"
	"log/slog"
	"time"
)

// RegistryEntry is what a protocol server (FTP, SFTP) remembers of one of
// its sessions' row in the session registry. Only the server's sync loop
// touches it.
type RegistryEntry struct {
	written   bool
	last      Session
	lastWrite time.Time
}

// LiveSession is one logged-in session in a round of SyncSessions.
type LiveSession struct {
	Entry   *RegistryEntry
	Now     Session  // the session as it is now (Snapshot)
	Account *Account // the account it logged in with
}

// ChangedSession is a new session whose account changed between its
// login and its first write to the registry: a change made in that window
// could not flag it for closing, so the server closes it itself.
type ChangedSession struct {
	Index   int      // into the live list given to SyncSessions
	Account *Account // the account now; nil when it was deleted
}

// SyncSessionsOf runs SyncSessions for a server's own session type S:
// entry gives a session's registry entry, state the session as it is now.
func SyncSessionsOf[S any](s *Service, ctx context.Context, log *slog.Logger, now time.Time, refresh time.Duration,
	ended, live []S, entry func(S) *RegistryEntry, state func(S) LiveSession) []ChangedSession {
	entries := make([]*RegistryEntry, len(ended))
	for i, x := range ended {
		entries[i] = entry(x)
	}
	items := make([]LiveSession, len(live))
	for i, x := range live {
		items[i] = state(x)
	}
	return s.SyncSessions(ctx, log, now, refresh, entries, items)
}

// SyncSessions runs one round of a protocol server's registry writes:
// the rows of ended sessions that were written are removed; live sessions
// are written when new, or when changed and not written for refresh. The
// new ones' accounts are read once more, and those that no longer grant
// the session (SameGrant) are returned for the server to close. Store
// errors are logged and retried next round.
func (s *Service) SyncSessions(ctx context.Context, log *slog.Logger, now time.Time, refresh time.Duration,
	ended []*RegistryEntry, live []LiveSession) []ChangedSession {
	for _, e := range ended {
		if e.written {
			if err := s.EndSession(ctx, e.last.ID); err != nil {
				log.Warn("end session", "session", e.last.ID, "err", err)
			}
		}
	}
	var fresh []int
	for i, l := range live {
		e, snap := l.Entry, l.Now
		if e.written && (sameSession(snap, e.last) || now.Sub(e.lastWrite) < refresh) {
			continue
		}
		if err := s.PutSession(ctx, &snap); err != nil {
			log.Warn("put session", "session", snap.ID, "err", err)
			continue
		}
		if !e.written {
			fresh = append(fresh, i)
		}
		e.written, e.last, e.lastWrite = true, snap, now
	}
	var changed []ChangedSession
	for _, i := range fresh {
		old := live[i].Account
		a, err := s.AccountByID(ctx, old.ID)
		if err != nil && ErrorCode(err) != CodeNotFound {
			log.Warn("check account of new session", "session", live[i].Now.ID, "err", err)
			continue
		}
		if err != nil || !SameGrant(old, a) {
			if err != nil {
				a = nil
			}
			changed = append(changed, ChangedSession{Index: i, Account: a})
		}
	}
	return changed
}

// sameSession reports whether two rows differ only in their update time.
func sameSession(a, b Session) bool {
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

// SameGrant reports whether the account b still lets a session opened
// with a go on: same login, password, home, site and permissions, and
// active. A password change ends FTP and SFTP sessions alike (key
// sessions too; the keys stay).
func SameGrant(a, b *Account) bool {
	return b != nil && a.Login == b.Login && a.PasswordHash == b.PasswordHash && a.Home == b.Home && a.Read == b.Read &&
		a.Write == b.Write && a.SiteRoot == b.SiteRoot && b.EffectiveStatus() == StatusActive
}
