package api

import (
	"net/http"
	"time"

	"ftpanel/internal/hosting"
)

// sshKeyJSON is an account's SSH public key (SFTP logins).
type sshKeyJSON struct {
	ID          int64     `json:"id"`
	Login       string    `json:"login"`
	Type        string    `json:"type"`
	PublicKey   string    `json:"public_key"`
	Fingerprint string    `json:"fingerprint"`
	Comment     string    `json:"comment"`
	CreatedAt   time.Time `json:"created_at"`
}

func toSSHKey(k *hosting.SSHKey) sshKeyJSON {
	return sshKeyJSON{ID: k.ID, Login: k.AccountLogin, Type: k.Type, PublicKey: k.PublicKey,
		Fingerprint: k.Fingerprint, Comment: k.Comment, CreatedAt: k.CreatedAt}
}

// sshKeyCreateRequest is the body of POST /accounts/{login}/keys.
type sshKeyCreateRequest struct {
	PublicKey string `json:"public_key"`
}

func (h *handler) handleSSHKeyList(w http.ResponseWriter, r *http.Request) {
	keys, err := h.svc.SSHKeys(r.Context(), r.PathValue("login"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[sshKeyJSON]{Items: make([]sshKeyJSON, 0, len(keys))}
	for _, k := range keys {
		out.Items = append(out.Items, toSSHKey(k))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

func (h *handler) handleSSHKeyAdd(w http.ResponseWriter, r *http.Request) {
	var in sshKeyCreateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	k, err := h.svc.AddSSHKey(r.Context(), r.PathValue("login"), in.PublicKey)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusCreated, toSSHKey(k))
}

func (h *handler) handleSSHKeyDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteSSHKey(r.Context(), r.PathValue("login"), r.PathValue("key")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
