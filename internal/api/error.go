package api

import (
	"errors"
	"net/http"

	"ftpanel/internal/hosting"
)

// httpStatus is the API's table from hosting error codes to HTTP statuses.
//
// The rule behind it: 400 when the request is malformed or a value has the
// wrong form (invalid_input); 422 when a well-formed value is refused by a
// rule (login and password policy, home folder rules); 409 when the
// request conflicts with the current state (a taken login, a limit that is
// reached, the main account, a customer that still owns sites, a reused
// Idempotency-Key); 403 when the caller may not do this at all, or its
// customer is suspended. A few answers are HTTP's own and set their status
// explicitly with writeErrorStatus: 405, 413, 415 and 429.
func httpStatus(c hosting.Code) int {
	switch c {
	case hosting.CodeInvalidInput:
		return http.StatusBadRequest
	case hosting.CodeInvalidLogin, hosting.CodeReservedLogin, hosting.CodeWeakPassword,
		hosting.CodeInvalidHome, hosting.CodeHomeOutsideSite, hosting.CodeHomeNotFound,
		hosting.CodeTopLevelDirForbidden:
		return http.StatusUnprocessableEntity
	case hosting.CodeLoginTaken, hosting.CodeConflict, hosting.CodeLimitExceeded, hosting.CodeMainAccount:
		return http.StatusConflict
	case hosting.CodeNotFound:
		return http.StatusNotFound
	case hosting.CodeUnauthorized:
		return http.StatusUnauthorized
	case hosting.CodeForbidden, hosting.CodeSuspended:
		return http.StatusForbidden
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    hosting.Code `json:"code"`
	Message string       `json:"message"`
	Field   string       `json:"field,omitempty"`
}

// statusError carries an HTTP status that its code alone does not imply
// (413 for a body that is too large, 415 for a wrong content type).
type statusError struct {
	status int
	err    *hosting.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// writeError answers err as a JSON error with the status of its code.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(hosting.ErrorCode(err))
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	h.writeErrorStatus(w, r, status, err)
}

// writeErrorStatus answers err as a JSON error with the given status. The
// message shown is hosting.ErrorMessage's, so internal causes never reach
// the client; they are logged with the request instead.
func (h *handler) writeErrorStatus(w http.ResponseWriter, r *http.Request, status int, err error) {
	code := hosting.ErrorCode(err)
	if code == hosting.CodeInternal {
		infoOf(r).err = err
	}
	h.writeJSON(w, r, status, errorBody{Error: errorDetail{Code: code, Message: hosting.ErrorMessage(err), Field: hosting.ErrorField(err)}})
}

// asField returns err with its field set to name when it names none, for
// errors about a query parameter (e.g. ?site= naming no visible site).
func asField(err error, name string) error {
	var e *hosting.Error
	if errors.As(err, &e) && e.Field == "" {
		c := *e
		c.Field = name
		return &c
	}
	return err
}
