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
func (h *handler) webspace(ctx context.Context, a *answerWriter, req *webspaceRequest) {
	a.start("webspace")
	for _, op := range req.Operations {
		if a.stopped() {
			a.notRun("get")
			continue
		}
		a.start("get")
		h.webspaceGet(ctx, a, op.Get)
		a.end("get")
	}
	a.end("webspace")
}

// webspaceGet writes one result per site the filter names, or per
// visible site for the empty filter; once the answer reaches its cap, the
// rest are replaced by one error result.
func (h *handler) webspaceGet(ctx context.Context, a *answerWriter, req *webspaceGetReq) {
	genInfo := req.Dataset != nil && req.Dataset.GenInfo != nil
	kind, values, _ := req.Filter.kind("get") // checked when decoded
	// put writes r and reports whether the next result may follow.
	put := func(r *webspaceGetResult) bool {
		if a.stopped() {
			a.truncate()
			return false
		}
		a.result(r)
		return !a.failed()
	}
	fail := func(filterID string, id int64, err error) bool {
		code, text := h.opError(ctx, "webspace get", err, textNoWebspace)
		return put(&webspaceGetResult{Status: statusError, ErrCode: code, ErrText: text,
			FilterID: filterIDOf(filterID, kind == filterAll), ID: id})
	}
	switch kind {
	case filterID:
		for _, v := range values {
			var ok bool
			if id, isNum := parseInt(v); !isNum {
				ok = fail(v, 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "id", "id %s is not a number", quoteShort(v)))
			} else if site, err := h.svc.SiteByID(ctx, id); err != nil {
				ok = fail(v, max(id, 0), err)
			} else {
				ok = put(siteResult(v, site, genInfo))
			}
			if !ok {
				return
			}
		}
	case filterName:
		for _, v := range values {
			var ok bool
			if site, err := h.svc.Site(ctx, strings.TrimSpace(v)); err != nil {
				ok = fail(v, 0, err)
			} else {
				ok = put(siteResult(v, site, genInfo))
			}
			if !ok {
				return
			}
		}
	default:
		sites, err := h.svc.Sites(ctx, hosting.SiteFilter{})
		if err != nil {
			fail("", 0, err)
			return
		}
		for _, s := range sites {
			if !put(siteResult(strconv.FormatInt(s.ID, 10), s, genInfo)) {
				return
			}
		}
		if len(sites) == 0 {
			put(&webspaceGetResult{Status: statusOK})
		}
	}
}

func siteResult(filterID string, s *hosting.Site, genInfo bool) *webspaceGetResult {
	r := &webspaceGetResult{Status: statusOK, FilterID: &filterID, ID: s.ID}
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
