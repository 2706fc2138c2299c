package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument is the OpenAPI 3.1 description of this API. The tests
// check that it lists exactly the routes of the route table and that real
// answers match its schemas.
//
//go:embed openapi.json
var openAPIDocument []byte

func (h *handler) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
}
