package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// TokensPage is the data of tokens.html: API tokens and HestiaCP access
// keys, listed, created (secret shown once) and revoked.
type TokensPage struct {
	Layout
	Rows        []TokenRow
	Owners      []SiteOption // "" = administrator, else customer logins
	Kind        string
	Owner       string
	Description string
	Errors      FieldErrors
	Summary     []SummaryItem
}

// TokenRow is one token.
type TokenRow struct {
	Key, Kind, Owner, Description, Created, LastUsed, DeleteURL string
}

var tokenFormFields = []formField{{"kind", "t-kind", "Kind"}, {"customer", "t-owner", "Belongs to"}, {"description", "t-desc", "Description"}}

func (h *handler) renderTokens(w http.ResponseWriter, r *http.Request, status int, p TokensPage) {
	ctx := r.Context()
	tokens, err := h.svc.Tokens(ctx, hosting.TokenFilter{})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	for _, t := range tokens {
		row := TokenRow{Key: t.Key, Kind: "API token", Owner: "Administrator", Description: t.Description,
			Created: formatTime(t.CreatedAt), LastUsed: "Never", DeleteURL: "/tokens/" + pathEscape(t.Key) + "/delete"}
		if t.Kind == hosting.TokenHestia {
			row.Kind = "HestiaCP key"
		}
		if !t.Admin {
			row.Owner = "Customer " + t.CustomerLogin
		}
		if t.LastUsedAt != nil {
			row.LastUsed = formatTime(*t.LastUsedAt)
		}
		p.Rows = append(p.Rows, row)
	}
	cs, err := h.svc.Customers(ctx, hosting.CustomerFilter{})
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p.Owners = []SiteOption{{Name: "", Display: "Administrator (all customers)", Selected: p.Owner == ""}}
	for _, c := range cs {
		p.Owners = append(p.Owners, SiteOption{Name: c.Login, Display: "Customer " + c.Login, Selected: p.Owner == c.Login})
	}
	if p.Errors == nil {
		p.Errors = FieldErrors{}
	}
	p.Summary = summary(p.Errors, "", tokenFormFields)
	p.Layout = h.layout(r, "API tokens", "tokens")
	h.render(w, r, status, "tokens", p)
}

// handleTokenList lists the tokens with the create form.
func (h *handler) handleTokenList(w http.ResponseWriter, r *http.Request) {
	h.renderTokens(w, r, http.StatusOK, TokensPage{Kind: "api"})
}

// handleTokenCreate creates a token; its secret is shown once after a
// redirect.
func (h *handler) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	p := TokensPage{Kind: r.PostFormValue("kind"), Owner: strings.TrimSpace(r.PostFormValue("owner")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Errors: FieldErrors{}}
	in := hosting.TokenCreate{Kind: hosting.TokenKind(p.Kind), Admin: p.Owner == "", Customer: p.Owner, Description: p.Description}
	if in.Kind != hosting.TokenAPI && in.Kind != hosting.TokenHestia {
		p.Errors.add("kind", "choose an API token or a HestiaCP key")
	}
	if len(p.Description) > 200 {
		p.Errors.add("description", "keep the description under 200 characters")
	}
	if len(p.Errors) == 0 {
		nt, err := h.svc.CreateToken(r.Context(), in)
		if err == nil {
			rec := revealRecord{Heading: "Token created", Active: "tokens", BackURL: "/tokens",
				Intro: "Copy the secret now: it is shown only once and cannot be displayed again."}
			if nt.Token.Kind == hosting.TokenHestia {
				rec.Items = []RevealItem{{ID: "cred-key", Label: "Access key", Value: nt.Token.Key, Copy: true, Code: true},
					{ID: "cred-secret", Label: "Secret key", Value: nt.Secret, Copy: true, Code: true, Secret: true}}
				rec.Note = "Use both in the HestiaCP API (hash = ACCESS_KEY:SECRET_KEY)."
			} else {
				rec.Items = []RevealItem{{ID: "cred-secret", Label: "Bearer token", Value: nt.Secret, Copy: true, Code: true, Secret: true}}
				rec.Note = "Send it as “Authorization: Bearer …” to the REST API."
			}
			h.reveal(w, r, rec)
			return
		}
		if msg := h.addErr(r, p.Errors, err, tokenFormFields); msg != "" {
			p.Errors.add("description", msg)
		}
	}
	h.renderTokens(w, r, http.StatusUnprocessableEntity, p)
}

// handleTokenDelete revokes a token.
func (h *handler) handleTokenDelete(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if err := h.svc.DeleteToken(r.Context(), key); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.setFlash(r, "success", "Token "+key+" revoked.")
	http.Redirect(w, r, "/tokens", http.StatusSeeOther)
}

// BansPage is the data of bans.html: the defender's banned addresses.
type BansPage struct {
	Layout
	Rows []BanRow
}

// BanRow is one ban.
type BanRow struct {
	Addr, Until, Reason, Node string
	Strikes                   int
}

// handleBanList lists the bans.
func (h *handler) handleBanList(w http.ResponseWriter, r *http.Request) {
	bans, err := h.svc.Bans(r.Context())
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := BansPage{Layout: h.layout(r, "Banned addresses", "bans")}
	now := h.svc.Now()
	for _, b := range bans {
		if !b.Until.After(now) {
			continue
		}
		p.Rows = append(p.Rows, BanRow{Addr: b.Addr, Until: formatTime(b.Until), Reason: b.Reason, Node: b.Node, Strikes: b.Strikes})
	}
	h.render(w, r, http.StatusOK, "bans", p)
}

// handleBanDelete lifts the ban of an address.
func (h *handler) handleBanDelete(w http.ResponseWriter, r *http.Request) {
	addr := strings.TrimSpace(r.PostFormValue("addr"))
	if err := h.svc.DeleteBan(r.Context(), addr); err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.setFlash(r, "success", "Ban of "+addr+" lifted.")
	http.Redirect(w, r, "/bans", http.StatusSeeOther)
}
