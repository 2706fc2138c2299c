package hosting

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// AddSSHKey adds a public key (authorized_keys form, see ParseSSHKey) to an
// account. The same key twice on one account is a conflict; another
// customer's account is not_found.
func (s *Service) AddSSHKey(ctx context.Context, login, publicKey string) (*SSHKey, error) {
	const opName = "hosting.AddSSHKey"
	a, err := s.Account(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	k, err := ParseSSHKey(publicKey)
	if err != nil {
		return nil, op(opName, err)
	}
	k.AccountID, k.AccountLogin, k.CustomerID, k.CreatedAt = a.ID, a.Login, a.CustomerID, s.Now()
	ev := s.event(ctx, "sshkey.add", "account", a.ID, a.Login, a.CustomerID, k.Type+" "+k.Fingerprint)
	if err := s.store.CreateSSHKey(ctx, k, ev); err != nil {
		return nil, op(opName, err)
	}
	return k, nil
}

// SSHKeys lists an account's public keys, oldest first.
func (s *Service) SSHKeys(ctx context.Context, login string) ([]*SSHKey, error) {
	const opName = "hosting.SSHKeys"
	a, err := s.Account(ctx, login)
	if err != nil {
		return nil, op(opName, err)
	}
	list, err := s.store.SSHKeys(ctx, a.ID)
	if err != nil {
		return nil, op(opName, err)
	}
	if list == nil {
		list = []*SSHKey{}
	}
	return list, nil
}

// SSHKeyCounts counts the public keys of each account in one store query
// (a page of account cards shows them). Accounts of other customers than
// the actor's are left out; accounts without keys are absent from the
// map.
func (s *Service) SSHKeyCounts(ctx context.Context, accounts []*Account) (map[int64]int, error) {
	const opName = "hosting.SSHKeyCounts"
	act, err := s.actor(ctx)
	if err != nil {
		return nil, op(opName, err)
	}
	ids := make([]int64, 0, len(accounts))
	for _, a := range accounts {
		if act.IsAdmin() || a.CustomerID == act.CustomerID {
			ids = append(ids, a.ID)
		}
	}
	counts, err := s.store.SSHKeyCounts(ctx, ids)
	if err != nil {
		return nil, op(opName, err)
	}
	return counts, nil
}

// DeleteSSHKey removes one of an account's keys, named by its fingerprint
// ("SHA256:...") or its ID. The account's SFTP sessions are not closed:
// a key is checked at login only.
func (s *Service) DeleteSSHKey(ctx context.Context, login, key string) error {
	const opName = "hosting.DeleteSSHKey"
	list, err := s.SSHKeys(ctx, login)
	if err != nil {
		return op(opName, err)
	}
	id, _ := strconv.ParseInt(key, 10, 64)
	for _, k := range list {
		if k.Fingerprint == key || (id > 0 && k.ID == id) || k.Fingerprint == "SHA256:"+key {
			ev := s.event(ctx, "sshkey.delete", "account", k.AccountID, k.AccountLogin, k.CustomerID, k.Type+" "+k.Fingerprint)
			return op(opName, s.store.DeleteSSHKey(ctx, k.ID, ev))
		}
	}
	return op(opName, FieldErrorf(CodeNotFound, "key", "account %s has no key %q", login, clipText(key, 80)))
}

// AuthenticateSSHKey checks an SFTP login by public key from ip: the key
// must be one of the account's keys; then expiry, allowed addresses and
// effective status are checked as for a password. The signature itself is
// checked by the SSH server afterwards. Errors: unauthorized (unknown
// login, unknown key, expired), forbidden (address), suspended.
func (s *Service) AuthenticateSSHKey(ctx context.Context, login string, key ssh.PublicKey, ip netip.Addr) (*Account, error) {
	const opName = "hosting.AuthenticateSSHKey"
	fail := Errorf(CodeUnauthorized, "wrong login or key")
	if login == "" || len(login) > 128 || key == nil || !allowedKeyTypes[key.Type()] {
		return nil, op(opName, fail)
	}
	a, err := s.store.AccountByLogin(ctx, login)
	if err != nil {
		if isCode(err, CodeNotFound) {
			return nil, op(opName, fail)
		}
		return nil, op(opName, err)
	}
	keys, err := s.store.SSHKeys(ctx, a.ID)
	if err != nil {
		return nil, op(opName, err)
	}
	want := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	found := false
	for _, k := range keys {
		if k.PublicKey == want {
			found = true
			break
		}
	}
	if !found {
		return nil, op(opName, fail)
	}
	now := s.Now()
	if a.Expired(now) {
		return nil, op(opName, Errorf(CodeUnauthorized, "account %s has expired", a.Login))
	}
	if !a.AllowsIP(ip) {
		return nil, op(opName, Errorf(CodeForbidden, "account %s may not log in from %s", a.Login, ip))
	}
	if a.EffectiveStatus() == StatusSuspended {
		return nil, op(opName, Errorf(CodeSuspended, "account %s is suspended", a.Login))
	}
	if a.LastLoginAt == nil || now.Sub(*a.LastLoginAt) > time.Minute {
		if err := s.store.RecordLogin(ctx, a.ID, now, a.PasswordHash, ""); err != nil {
			s.log.Warn("record login", "login", a.Login, "err", err)
		}
		a.LastLoginAt = &now
	}
	return a, nil
}
