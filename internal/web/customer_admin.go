package web

import (
	"net/http"
	"strings"

	"ftpanel/internal/hosting"
)

// CustomerFormPage is the data of customer_form.html: add or edit a
// customer (administrators only).
type CustomerFormPage struct {
	Layout
	New         bool
	Action      string
	Login       string
	Name        string
	Email       string
	MaxAccounts string
	Errors      FieldErrors
	Summary     []SummaryItem
	ResetURL    string
	DeleteURL   string
	BackURL     string
}

// customerFormFields are the customer form's fields in order.
var customerFormFields = []formField{
	{"login", "c-login", "Login"},
	{"name", "c-name", "Name"},
	{"email", "c-email", "E-mail"},
	{"max_ftp_accounts", "c-max", "Maximum additional FTP accounts"},
	{"password", "c-password", "Password"},
}

// handleCustomerNew shows the empty add form.
func (h *handler) handleCustomerNew(w http.ResponseWriter, r *http.Request) {
	h.renderCustomerForm(w, r, http.StatusOK, CustomerFormPage{New: true, Errors: FieldErrors{}})
}

func (h *handler) renderCustomerForm(w http.ResponseWriter, r *http.Request, status int, p CustomerFormPage) {
	title := "Add customer"
	p.Action, p.BackURL = "/customers/new", "/customers"
	if !p.New {
		title = "Edit customer " + p.Login
		p.Action = "/customers/" + pathEscape(p.Login) + "/edit"
		p.ResetURL = "/customers/" + pathEscape(p.Login) + "/password"
		p.DeleteURL = "/customers/" + pathEscape(p.Login) + "/delete"
	}
	p.Layout = h.layout(r, title, "customers")
	p.Summary = summary(p.Errors, "", customerFormFields)
	h.render(w, r, status, "customer_form", p)
}

// readCustomerForm reads and checks the posted fields; every problem is
// put on its field.
func (h *handler) readCustomerForm(r *http.Request, p *CustomerFormPage) (maxAcc int) {
	p.Name = strings.TrimSpace(r.PostFormValue("name"))
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	p.MaxAccounts = strings.TrimSpace(r.PostFormValue("max_ftp_accounts"))
	p.Errors = FieldErrors{}
	if p.Email != "" && (!strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " <>\"")) {
		p.Errors.add("email", "enter an e-mail address such as name@example.com, or leave the field empty")
	}
	n, err := parseLimit("max_ftp_accounts", p.MaxAccounts)
	if err != nil {
		p.Errors.add("max_ftp_accounts", hosting.ErrorMessage(err))
	}
	return n
}

// handleCustomerCreate adds a customer; a generated panel password is
// shown once after a redirect.
func (h *handler) handleCustomerCreate(w http.ResponseWriter, r *http.Request) {
	p := CustomerFormPage{New: true}
	n := h.readCustomerForm(r, &p)
	p.Login = strings.TrimSpace(r.PostFormValue("login"))
	pw := r.PostFormValue("password")
	pol := h.svc.Policy()
	if err := pol.CheckCustomerLogin(p.Login); err != nil {
		p.Errors.add("login", hosting.ErrorMessage(err))
	} else if _, err := h.svc.Customer(r.Context(), p.Login); err == nil {
		p.Errors.add("login", "customer "+p.Login+" already exists")
	}
	if pw != "" {
		if err := pol.CheckPassword(pw, p.Login); err != nil {
			p.Errors.add("password", hosting.ErrorMessage(err))
		}
	}
	if len(p.Errors) == 0 {
		c, gen, err := h.svc.CreateCustomer(r.Context(), hosting.CustomerCreate{Login: p.Login, Name: p.Name, Email: p.Email, Password: pw, MaxFTPAccounts: &n})
		if err == nil {
			h.revealPanelLogin(w, r, c.Login, gen, "Customer created", "/customers")
			return
		}
		if msg := h.addErr(r, p.Errors, err, customerFormFields); msg != "" {
			p.Errors.add("login", msg)
		}
	}
	h.renderCustomerForm(w, r, http.StatusUnprocessableEntity, p)
}

// revealPanelLogin redirects to the once-page of panel credentials.
func (h *handler) revealPanelLogin(w http.ResponseWriter, r *http.Request, login, pw, heading, back string) {
	rec := revealRecord{Heading: heading, Active: "customers", BackURL: back,
		Intro: "The customer signs in to this panel with these details.",
		Note:  "Send the password to the customer over a safe channel; they can change it under “Password” once signed in."}
	rec.Items = append(rec.Items, RevealItem{ID: "cred-login", Label: "Panel login", Value: login, Copy: true, Code: true})
	if pw != "" {
		rec.Intro = "Copy the password now: it is shown only once and cannot be displayed again."
		rec.Items = append(rec.Items, RevealItem{ID: "cred-password", Label: "Password", Value: pw, Copy: true, Code: true, Secret: true})
	}
	h.reveal(w, r, rec)
}

// handleCustomerEdit shows the edit form of a customer.
func (h *handler) handleCustomerEdit(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Customer(r.Context(), r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.renderCustomerForm(w, r, http.StatusOK, CustomerFormPage{Login: c.Login, Name: c.Name, Email: c.Email,
		MaxAccounts: limitFormValue(c.MaxFTPAccounts), Errors: FieldErrors{}})
}

// handleCustomerUpdate saves name, e-mail and limit of a customer.
func (h *handler) handleCustomerUpdate(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Customer(r.Context(), r.PathValue("login"))
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	p := CustomerFormPage{Login: c.Login}
	n := h.readCustomerForm(r, &p)
	if len(p.Errors) == 0 {
		_, err = h.svc.UpdateCustomer(r.Context(), c.Login, hosting.CustomerUpdate{Name: &p.Name, Email: &p.Email, MaxFTPAccounts: &n})
		if err == nil {
			h.setFlash(r, "success", "Customer "+c.Login+" saved.")
			http.Redirect(w, r, "/customers", http.StatusSeeOther)
			return
		}
		if msg := h.addErr(r, p.Errors, err, customerFormFields); msg != "" {
			p.Errors.add("name", msg)
		}
	}
	h.renderCustomerForm(w, r, http.StatusUnprocessableEntity, p)
}

// handleCustomerPasswordReset sets a generated panel password for a
// customer and shows it once.
func (h *handler) handleCustomerPasswordReset(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("login")
	gen, err := h.svc.SetCustomerPassword(r.Context(), login, "")
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.revealPanelLogin(w, r, login, gen, "New panel password for "+login, "/customers")
}

// ConfirmDeletePage is the data of confirm_delete.html: a typed-name
// confirmation that says what is deleted and what stays.
type ConfirmDeletePage struct {
	Layout
	Heading string
	What    string   // "customer" or "site"
	Name    string   // what must be typed
	Deletes []string // what goes
	Keeps   string   // what stays
	Blocked string   // why it cannot be deleted now ("" = it can)
	Action  string
	BackURL string
	Error   string
	Summary []SummaryItem
	Typed   string
}

// handleCustomerDeleteConfirm shows the confirmation page.
func (h *handler) handleCustomerDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	p, err := h.customerDeletePage(r)
	if err != nil {
		h.serviceError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "confirm_delete", p)
}

func (h *handler) customerDeletePage(r *http.Request) (ConfirmDeletePage, error) {
	c, err := h.svc.Customer(r.Context(), r.PathValue("login"))
	if err != nil {
		return ConfirmDeletePage{}, err
	}
	id := c.ID
	sites, err := h.svc.Sites(r.Context(), hosting.SiteFilter{CustomerID: &id})
	if err != nil {
		return ConfirmDeletePage{}, err
	}
	p := ConfirmDeletePage{Layout: h.layout(r, "Delete customer "+c.Login, "customers"), Heading: "Delete customer " + c.Login + "?",
		What: "customer", Name: c.Login, Action: "/customers/" + pathEscape(c.Login) + "/delete", BackURL: "/customers",
		Deletes: []string{"the customer " + c.Login + " and its panel sign-in", "its API tokens and HestiaCP keys"},
		Keeps:   "The audit log keeps its history. No file on disk is touched."}
	if len(sites) > 0 {
		p.Blocked = "The customer still owns " + plainCount(len(sites), "site") + ". Delete the sites (their files stay on disk) or move them to another customer first."
	}
	return p, nil
}

// handleCustomerDelete deletes a customer once its login was typed.
func (h *handler) handleCustomerDelete(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("login")
	if strings.TrimSpace(r.PostFormValue("confirm")) != login {
		p, err := h.customerDeletePage(r)
		if err != nil {
			h.serviceError(w, r, err)
			return
		}
		p.Error = "Type the login " + login + " to confirm."
		p.Summary = []SummaryItem{{Target: "confirm-name", Text: p.Error}}
		p.Typed = r.PostFormValue("confirm")
		h.render(w, r, http.StatusUnprocessableEntity, "confirm_delete", p)
		return
	}
	if err := h.svc.DeleteCustomer(r.Context(), login); err != nil {
		if hosting.ErrorCode(err) == hosting.CodeConflict {
			h.errorPage(w, r, http.StatusConflict, "Customer not deleted", sentence(hosting.ErrorMessage(err)))
			return
		}
		h.serviceError(w, r, err)
		return
	}
	h.setFlash(r, "success", "Customer "+login+" deleted.")
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
}
