package api

import (
	"net/http"
	"strconv"
	"time"

	"ftpanel/internal/hosting"
)

// throttled answers 429 with Retry-After when err is a refusal of the
// service's guard (too many failed authentications from the address or on
// the token key, on any interface; a banned address) and reports whether
// it did. The token was not checked: the answer is the same for a valid
// one, so it gives a guesser no hint.
func (h *handler) throttled(w http.ResponseWriter, r *http.Request, err error) bool {
	until, ok := hosting.LoginRefused(err)
	if !ok {
		return false
	}
	secs := max(1, int((time.Until(until)+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.writeErrorStatus(w, r, http.StatusTooManyRequests, hosting.Errorf(hosting.CodeUnauthorized,
		"too many failed authentication attempts; retry in %d seconds", secs))
	return true
}
