package hosting

import (
	"context"
	"errors"
	"slices"
)

// Session protocols (Session.Protocol).
const (
	ProtocolFTP  = "ftp"
	ProtocolFTPS = "ftps"
	ProtocolSFTP = "sftp"
)

// SessionsToCloseOf returns the sessions of one protocol on node that were
// asked to close: the SFTP server's share of the registry, beside the FTP
// server's (SessionsToClose).
func (s *Service) SessionsToCloseOf(ctx context.Context, node, protocol string) ([]*Session, error) {
	list, err := s.sessionsToClose(ctx, node)
	if err != nil {
		return nil, op("hosting.SessionsToCloseOf", err)
	}
	return slices.DeleteFunc(list, func(x *Session) bool { return x.Protocol != protocol }), nil
}

// ClearNodeSessionsOf removes the sessions of one protocol that node left
// behind, keeping the other servers' rows.
func (s *Service) ClearNodeSessionsOf(ctx context.Context, node, protocol string) error {
	const opName = "hosting.ClearNodeSessionsOf"
	list, err := s.store.Sessions(ctx, SessionFilter{Node: &node})
	if err != nil {
		return op(opName, err)
	}
	var errs []error
	for _, x := range list {
		if x.Protocol == protocol {
			errs = append(errs, s.store.DeleteSession(ctx, x.ID))
		}
	}
	return op(opName, errors.Join(errs...))
}

// LiveSessions lists the sessions of every node and protocol, for the
// servers' per-address and per-account limits (servers only).
func (s *Service) LiveSessions(ctx context.Context) ([]*Session, error) {
	list, err := s.store.Sessions(ctx, SessionFilter{})
	return list, op("hosting.LiveSessions", err)
}
