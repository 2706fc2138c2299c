package plesk

import (
	"context"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// Plesk's webspace status values: 0 active, 16 disabled by the
// administrator (ftpanel's suspended, of the site or of its customer).
const (
	webspaceActive    = 0
	webspaceSuspended = 16
)

// webspace runs the operations of one <webspace>: only get, so that
// clients can look up a site's id by name and the reverse.
func (h *handler) webspace(ctx context.Context, req *webspaceRequest) *webspaceResponse {
	out := &webspaceResponse{Operations: make([]*webspaceGetResponse, 0, len(req.Operations))}
	for _, op := range req.Operations {
		out.Operations = append(out.Operations, h.webspaceGet(ctx, op.Get))
	}
	return out
}

// webspaceGet answers one result per site the filter names, or per
// visible site for the empty filter.
func (h *handler) webspaceGet(ctx context.Context, req *webspaceGetReq) *webspaceGetResponse {
	genInfo := req.Dataset != nil && req.Dataset.GenInfo != nil
	kind, values, _ := req.Filter.kind("get") // checked when decoded
	out := &webspaceGetResponse{}
	add := func(filterID string, site *hosting.Site) {
		out.Results = append(out.Results, siteResult(filterID, site, genInfo))
	}
	fail := func(filterID string, id int64, err error) {
		code, text := h.opError(ctx, "webspace get", err, textNoWebspace)
		out.Results = append(out.Results, webspaceGetResult{Status: statusError, ErrCode: code, ErrText: text,
			FilterID: filterIDOf(filterID, kind == filterAll), ID: id})
	}
	switch kind {
	case filterID:
		for _, v := range values {
			id, ok := parseInt(v)
			if !ok {
				fail(v, 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "id", "id %s is not a number", quoteShort(v)))
				continue
			}
			site, err := h.svc.SiteByID(ctx, id)
			if err != nil {
				fail(v, max(id, 0), err)
				continue
			}
			add(v, site)
		}
	case filterName:
		for _, v := range values {
			site, err := h.svc.Site(ctx, strings.TrimSpace(v))
			if err != nil {
				fail(v, 0, err)
				continue
			}
			add(v, site)
		}
	default:
		sites, err := h.svc.Sites(ctx, hosting.SiteFilter{})
		if err != nil {
			fail("", 0, err)
			break
		}
		for _, s := range sites {
			add(strconv.FormatInt(s.ID, 10), s)
		}
		if len(sites) == 0 {
			out.Results = append(out.Results, webspaceGetResult{Status: statusOK})
		}
	}
	return out
}

func siteResult(filterID string, s *hosting.Site, genInfo bool) webspaceGetResult {
	r := webspaceGetResult{Status: statusOK, FilterID: &filterID, ID: s.ID}
	if genInfo {
		status := webspaceActive
		if s.EffectiveStatus() == hosting.StatusSuspended {
			status = webspaceSuspended
		}
		r.Data = &webspaceData{GenInfo: &webspaceGenInfo{
			CrDate:       s.CreatedAt.UTC().Format("2006-01-02"),
			Name:         hosting.DisplayDomain(s.Name),
			ASCIIName:    s.Name,
			Status:       status,
			DNSIPAddress: s.IP,
			HType:        "vrt_hst",
			WebspaceID:   s.ID,
		}}
	}
	return r
}
