package plesk

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// Limits of a packet, for the tests.
const (
	MaxOperations  = maxOperations
	MaxAnswerBytes = maxAnswerBytes
)

// NewHandlerWithAnswerLimit is NewHandler with another answer cap, so that
// tests reach it with a few accounts.
func NewHandlerWithAnswerLimit(svc *hosting.Service, o Options, maxAnswer int64) http.Handler {
	return newHandler(svc, o, maxAnswer)
}
