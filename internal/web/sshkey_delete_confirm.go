package web

import (
	"net/http"
	"strconv"

	"ftpanel/internal/hosting"
)

// SSHKeyDeletePage is the data of sshkey_delete.html, the confirmation
// page used without JavaScript (with it, a dialog on the keys page asks
// instead).
type SSHKeyDeletePage struct {
	Layout
	Card AccountCard
	Key  SSHKeyRow
}

// handleSSHKeyDeleteConfirm asks whether to delete one of an account's
// keys.
func (h *handler) handleSSHKeyDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, k, err := h.sshKey(r)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	site, err := h.svc.SiteByID(ctx, a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := SSHKeyDeletePage{Layout: h.layout(r, "Delete SSH key of "+a.Login, "accounts"), Card: h.accountCard(r, a, h.siteView(r, site))}
	p.Key = SSHKeyRow{ID: k.ID, Type: k.Type, Fingerprint: k.Fingerprint, Comment: k.Comment, Added: formatTime(k.CreatedAt),
		DeleteURL: p.Card.KeysURL + "/" + strconv.FormatInt(k.ID, 10) + "/delete"}
	h.render(w, r, http.StatusOK, "sshkey_delete", p)
}

// sshKey returns the account and the key that the request's path names
// ({login} and the key's ID {key}); not_found when either is missing or
// not the user's.
func (h *handler) sshKey(r *http.Request) (*hosting.Account, *hosting.SSHKey, error) {
	login := r.PathValue("login")
	a, err := h.svc.Account(r.Context(), login)
	if err != nil {
		return nil, nil, err
	}
	keys, err := h.svc.SSHKeys(r.Context(), a.Login)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("key"), 10, 64)
	if err == nil {
		for _, k := range keys {
			if k.ID == id {
				return a, k, nil
			}
		}
	}
	return nil, nil, hosting.FieldErrorf(hosting.CodeNotFound, "key", "account %s has no key %q", a.Login, r.PathValue("key"))
}
