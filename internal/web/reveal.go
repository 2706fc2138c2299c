package web

import (
	"encoding/json"
	"net/http"
	"time"

	"ftpanel/internal/hosting"
)

const (
	// revealScope is the KV scope of one-time pages that show a secret
	// (a generated password, a token): the POST that made the secret
	// stores it here and redirects; the GET shows it once and deletes it.
	revealScope = "webreveal"
	// revealTTL bounds how long an unseen secret waits in the store.
	revealTTL = 10 * time.Minute
)

// RevealItem is one line of a one-time page.
type RevealItem struct {
	ID     string // element id, e.g. "cred-password"
	Label  string
	Value  string
	Copy   bool // a copy button
	Code   bool // shown as code
	Secret bool // the secret part (for the intro)
}

// RevealPage is the data of account_created.html: what a POST created,
// with its secret, shown once.
type RevealPage struct {
	Layout
	Heading string
	Intro   string
	Items   []RevealItem
	Note    string
	BackURL string
}

// revealRecord is what the store holds between the POST and the GET.
type revealRecord struct {
	Heading string       `json:"heading"`
	Intro   string       `json:"intro"`
	Items   []RevealItem `json:"items"`
	Note    string       `json:"note"`
	BackURL string       `json:"back"`
	Active  string       `json:"active"`
}

// revealKey binds a reveal id to the session that made it, so that the
// URL alone shows nothing.
func revealKey(s *webSession, id string) string { return sessionKeyOf(s.id + "/" + id) }

// reveal stores rec for the session and redirects (303) to the page that
// shows it once: reloading that page, or going Back to the form's answer,
// never repeats the action and never shows the secret again.
func (h *handler) reveal(w http.ResponseWriter, r *http.Request, rec revealRecord) {
	s := sessionFrom(r.Context())
	id, err := randomToken(18)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	b, err := json.Marshal(rec)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if err := h.svc.PutKV(r.Context(), revealScope, revealKey(s, id), b, revealTTL); err != nil {
		h.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/done/"+id, http.StatusSeeOther)
}

// handleReveal shows a stored one-time page and deletes it; a second
// visit is sent back with a note that the secret was shown once.
func (h *handler) handleReveal(w http.ResponseWriter, r *http.Request) {
	s := sessionFrom(r.Context())
	key := revealKey(s, r.PathValue("id"))
	b, err := h.svc.KV(r.Context(), revealScope, key)
	if err != nil {
		if hosting.ErrorCode(err) != hosting.CodeNotFound {
			h.serverError(w, r, err)
			return
		}
		h.setFlash(r, "info", "That page was shown once and is gone: secrets are never displayed twice. Set a new password if it was lost.")
		http.Redirect(w, r, "/accounts", http.StatusSeeOther)
		return
	}
	if err := h.svc.DeleteKV(r.Context(), revealScope, key); err != nil {
		h.serverError(w, r, err)
		return
	}
	var rec revealRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		h.serverError(w, r, err)
		return
	}
	p := RevealPage{Layout: h.layout(r, rec.Heading, rec.Active), Heading: rec.Heading, Intro: rec.Intro,
		Items: rec.Items, Note: rec.Note, BackURL: localPath(rec.BackURL, "/accounts")}
	h.render(w, r, http.StatusOK, "account_created", p)
}

// revealAccount redirects to the once-page of account a with password pw
// ("" when the user typed it).
func (h *handler) revealAccount(w http.ResponseWriter, r *http.Request, a *hosting.Account, pw, heading, back string) {
	site, err := h.svc.SiteByID(r.Context(), a.SiteID)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	sv := h.siteView(r, site)
	rec := revealRecord{Heading: heading, Active: "accounts", BackURL: back,
		Intro: "Copy the password now: it is shown only once and cannot be displayed again.",
		Note:  "Use these details in FileZilla, WinSCP or any FTP client. Explicit FTPS (FTP over TLS) is recommended."}
	if pw == "" {
		rec.Intro = "The account uses the password you entered."
	}
	rec.Items = append(rec.Items, RevealItem{ID: "cred-login", Label: "Login", Value: a.Login, Copy: true, Code: true})
	if pw != "" {
		rec.Items = append(rec.Items, RevealItem{ID: "cred-password", Label: "Password", Value: pw, Copy: true, Code: true, Secret: true})
	}
	rec.Items = append(rec.Items,
		RevealItem{ID: "cred-host", Label: "Host", Value: sv.Host, Copy: true, Code: true},
		RevealItem{ID: "cred-port", Label: "Port", Value: itoa(sv.Port), Code: true},
		RevealItem{ID: "cred-site", Label: "Site", Value: sv.Display},
		RevealItem{ID: "cred-home", Label: "Home folder", Value: a.Home, Code: true})
	if sv.SFTPPort > 0 {
		rec.Items = append(rec.Items,
			RevealItem{ID: "cred-sftp-port", Label: "SFTP port", Value: itoa(sv.SFTPPort), Code: true},
			RevealItem{ID: "cred-sftp", Label: "SFTP command", Value: sftpCommand(a.Login, sv.Host, sv.SFTPPort), Copy: true, Code: true})
		for i, fp := range sv.SFTPHostKeys {
			rec.Items = append(rec.Items, RevealItem{ID: "cred-hostkey-" + itoa(i+1), Label: "SFTP host key", Value: fp, Code: true})
		}
		rec.Note += " SFTP works with the same login and password (or an SSH key added on the account's card): " +
			"on the first connection, go on only if the server's host key matches a fingerprint above."
	}
	h.reveal(w, r, rec)
}
