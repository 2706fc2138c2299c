package web

import (
	"net/http"
	"strconv"

	"ftpanel/internal/hosting"
)

// SSHKeysPage is the data of sshkeys.html: an account's SSH public keys
// (for SFTP logins without a password), the form that adds one, and how
// to connect over SFTP.
type SSHKeysPage struct {
	Layout
	Card AccountCard
	Keys []SSHKeyRow
	Form SSHKeyForm
}

// SSHKeyRow is one key of the list.
type SSHKeyRow struct {
	ID          int64
	Type        string // e.g. "ssh-ed25519"
	Fingerprint string // "SHA256:..."
	Comment     string
	Added       string
	DeleteURL   string // the confirmation page; the dialog posts to it
}

// SSHKeyForm is the "Add a key" form: the pasted authorized_keys line and
// its error.
type SSHKeyForm struct {
	PublicKey string
	Error     string       // the message next to the field
	Code      hosting.Code // the service's error code, for scripts and tests
	Summary   []SummaryItem
}

// sshKeyFormFields are the fields of the add form; it has one, and every
// error of the key (its comment included) is shown on it.
var sshKeyFormFields = []formField{{"public_key", "k-public-key", "Public key"}}

// handleSSHKeyList shows an account's keys with the add form.
func (h *handler) handleSSHKeyList(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.Account(r.Context(), r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.renderSSHKeys(w, r, http.StatusOK, a, SSHKeyForm{})
}

// renderSSHKeys renders the keys page of a with the add form f.
func (h *handler) renderSSHKeys(w http.ResponseWriter, r *http.Request, status int, a *hosting.Account, f SSHKeyForm) {
	ctx := r.Context()
	site, err := h.svc.SiteByID(ctx, a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	keys, err := h.svc.SSHKeys(ctx, a.Login)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := SSHKeysPage{Layout: h.layout(r, "SSH keys of "+a.Login, "accounts"), Card: h.accountCard(r, a, h.siteView(r, site))}
	p.Card.KeyCount, p.Card.KeysText = len(keys), keysText(len(keys))
	for _, k := range keys {
		p.Keys = append(p.Keys, SSHKeyRow{ID: k.ID, Type: k.Type, Fingerprint: k.Fingerprint, Comment: k.Comment,
			Added:     formatTime(k.CreatedAt),
			DeleteURL: p.Card.KeysURL + "/" + strconv.FormatInt(k.ID, 10) + "/delete"})
	}
	if f.Error != "" {
		f.Summary = summary(FieldErrors{"public_key": f.Error}, "", sshKeyFormFields)
	}
	p.Form = f
	h.render(w, r, status, "sshkeys", p)
}
