package api

import (
	"net/http"
	"net/url"
	"time"

	"ftpanel/internal/hosting"
)

// customerJSON is a customer as the API shows it.
type customerJSON struct {
	ID             int64          `json:"id"`
	Login          string         `json:"login"`
	Name           string         `json:"name"`
	Email          string         `json:"email"`
	Status         hosting.Status `json:"status"`
	MaxFTPAccounts int            `json:"max_ftp_accounts"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	// Password is the generated panel password, in the create answer only.
	Password string `json:"password,omitempty"`
}

func toCustomer(c *hosting.Customer) customerJSON {
	return customerJSON{ID: c.ID, Login: c.Login, Name: c.Name, Email: c.Email, Status: c.Status,
		MaxFTPAccounts: c.MaxFTPAccounts, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// customerCreateRequest is the body of POST /customers.
type customerCreateRequest struct {
	Login          string `json:"login"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Password       string `json:"password"`
	MaxFTPAccounts *int   `json:"max_ftp_accounts"`
}

func (in customerCreateRequest) create() hosting.CustomerCreate {
	return hosting.CustomerCreate{Login: in.Login, Name: in.Name, Email: in.Email, Password: in.Password,
		MaxFTPAccounts: in.MaxFTPAccounts}
}

// customerUpdateRequest is the body of PATCH /customers/{login}; absent
// fields stay as they are.
type customerUpdateRequest struct {
	Name           *string `json:"name"`
	Email          *string `json:"email"`
	MaxFTPAccounts *int    `json:"max_ftp_accounts"`
}

func (in customerUpdateRequest) update() hosting.CustomerUpdate {
	return hosting.CustomerUpdate{Name: in.Name, Email: in.Email, MaxFTPAccounts: in.MaxFTPAccounts}
}

func (h *handler) handleCustomerList(w http.ResponseWriter, r *http.Request) {
	q, err := query(r, "status", "q", "limit", "cursor")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	f, limit, err := customerFilter(q)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cs, err := h.svc.Customers(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[customerJSON]{Items: make([]customerJSON, 0, min(len(cs), limit))}
	for i, c := range cs {
		if i == limit {
			out.NextCursor = cursorString(int64(f.Offset + limit))
			break
		}
		out.Items = append(out.Items, toCustomer(c))
	}
	h.writeJSON(w, r, http.StatusOK, out)
}

// customerFilter builds the filter of a list request; customers are
// ordered by login, so the cursor is an offset. It asks for one more than
// limit, to know whether there is a next page.
func customerFilter(q url.Values) (hosting.CustomerFilter, int, error) {
	limit, err := pageLimit(q)
	if err != nil {
		return hosting.CustomerFilter{}, 0, err
	}
	offset, err := pageCursor(q)
	if err != nil {
		return hosting.CustomerFilter{}, 0, err
	}
	st, err := statusParam(q, "status")
	if err != nil {
		return hosting.CustomerFilter{}, 0, err
	}
	return hosting.CustomerFilter{Status: st, Query: q.Get("q"), Offset: int(min(offset, 1<<31)), Limit: limit + 1}, limit, nil
}

func (h *handler) handleCustomerCreate(w http.ResponseWriter, r *http.Request) {
	var in customerCreateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, pw, err := h.svc.CreateCustomer(r.Context(), in.create())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := toCustomer(c)
	out.Password = pw
	w.Header().Set("Location", "/api/v1/customers/"+url.PathEscape(c.Login))
	h.writeJSON(w, r, http.StatusCreated, out)
}

func (h *handler) handleCustomerShow(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Customer(r.Context(), r.PathValue("login"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toCustomer(c))
}

func (h *handler) handleCustomerUpdate(w http.ResponseWriter, r *http.Request) {
	var in customerUpdateRequest
	if err := decodeJSON(r, &in, false); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.UpdateCustomer(r.Context(), r.PathValue("login"), in.update())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toCustomer(c))
}

func (h *handler) handleCustomerDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteCustomer(r.Context(), r.PathValue("login")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) handleCustomerSuspend(w http.ResponseWriter, r *http.Request) {
	h.setCustomerStatus(w, r, hosting.StatusSuspended)
}

func (h *handler) handleCustomerUnsuspend(w http.ResponseWriter, r *http.Request) {
	h.setCustomerStatus(w, r, hosting.StatusActive)
}

func (h *handler) setCustomerStatus(w http.ResponseWriter, r *http.Request, st hosting.Status) {
	if err := decodeJSON(r, &struct{}{}, true); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.SetCustomerStatus(r.Context(), r.PathValue("login"), st)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, toCustomer(c))
}
