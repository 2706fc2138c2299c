package plesk

import (
	"context"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// Plesk's wording for objects a filter does not find.
const (
	textNoFTPUser  = "ftp-user does not exist"
	textNoWebspace = "webspace does not exist"
)

// ftpUser runs the operations of one <ftp-user>, in order, writing each
// answer as it is made; a failing operation does not stop the others.
func (h *handler) ftpUser(ctx context.Context, a *answerWriter, req *ftpUserRequest) {
	a.start("ftp-user")
	for _, op := range req.Operations {
		name := op.name()
		if a.stopped() {
			a.notRun(name)
			continue
		}
		a.start(name)
		switch {
		case op.Add != nil:
			a.result(h.ftpUserAdd(ctx, op.Add))
		case op.Get != nil:
			h.ftpUserGet(ctx, a, op.Get)
		case op.Set != nil:
			h.ftpUserSet(ctx, a, op.Set)
		case op.Del != nil:
			h.ftpUserDel(ctx, a, op.Del)
		}
		a.end(name)
	}
	a.end("ftp-user")
}

// name is the element name of the operation.
func (o *ftpUserOpReq) name() string {
	switch {
	case o.Add != nil:
		return "add"
	case o.Get != nil:
		return "get"
	case o.Set != nil:
		return "set"
	}
	return "del"
}

// ftpUserAdd creates one additional account.
func (h *handler) ftpUserAdd(ctx context.Context, req *ftpUserAddReq) *ftpUserAddResult {
	a, err := h.addAccount(ctx, req)
	if err != nil {
		code, text := h.opError(ctx, "ftp-user add", err, textNoWebspace)
		return &ftpUserAddResult{Status: statusError, ErrCode: code, ErrText: text}
	}
	return &ftpUserAddResult{Status: statusOK, ID: a.ID}
}

func (h *handler) addAccount(ctx context.Context, req *ftpUserAddReq) (*hosting.Account, error) {
	in := hosting.AccountCreate{Login: strings.TrimSpace(*req.Name), Password: *req.Password}
	// hosting generates a login or password for "": Plesk refuses both.
	if in.Login == "" {
		return nil, hosting.FieldErrorf(hosting.CodeInvalidLogin, "name", "name is empty")
	}
	if in.Password == "" {
		return nil, h.svc.Policy().CheckPassword("", in.Login)
	}
	if req.WebspaceID != nil {
		id, err := webspaceID(*req.WebspaceID)
		if err != nil {
			return nil, err
		}
		in.SiteID = id
	} else {
		in.Site = strings.TrimSpace(*req.WebspaceName)
	}
	if req.Home != nil {
		in.Home = strings.TrimSpace(*req.Home)
	}
	var err error
	if req.CreateNonExistent != nil {
		if in.CreateMissing, err = boolValue("create-non-existent", *req.CreateNonExistent); err != nil {
			return nil, err
		}
	}
	if in.QuotaBytes, err = quotaValue(req.Quota); err != nil {
		return nil, err
	}
	if in.Read, in.Write, err = permissionValues(req.Permissions); err != nil {
		return nil, err
	}
	a, _, err := h.svc.CreateAccount(ctx, in)
	return a, err
}

// match is one account a filter value selected, or the error for the
// value; with neither, the value selected a webspace without accounts.
type match struct {
	filterID string
	noFilter bool  // a result of the empty filter without account: no <filter-id>
	id       int64 // the id an id filter names, shown with its error
	account  *hosting.Account
	err      error
}

// ftpUserGet writes one result per matched account. It is the operation
// whose answer can grow large: once the answer reaches its cap, the rest
// of its results are replaced by one error result.
func (h *handler) ftpUserGet(ctx context.Context, a *answerWriter, req *ftpUserGetReq) {
	h.match(ctx, req.Filter, req.scope(), func(m match) bool {
		if a.stopped() {
			a.truncate()
			return false
		}
		r := ftpUserGetResult{Status: statusOK, FilterID: filterIDOf(m.filterID, m.noFilter)}
		switch {
		case m.err != nil:
			r.Status = statusError
			r.ErrCode, r.ErrText = h.opError(ctx, "ftp-user get", m.err, m.notFoundText())
			r.ID = m.id
		case m.account != nil:
			acc := m.account
			home := acc.Home
			if home == "/" { // Plesk shows the site root as <home></home>
				home = ""
			}
			quota := acc.QuotaBytes
			r.ID, r.Name, r.Home, r.Quota, r.WebspaceID = acc.ID, acc.Login, &home, &quota, acc.SiteID
			r.Permissions = &permissionsOut{Read: acc.Read, Write: acc.Write}
		}
		a.result(&r)
		return !a.failed()
	})
}

// ftpUserSet changes every matched account. Its results are written
// whole: each stands for a change made.
func (h *handler) ftpUserSet(ctx context.Context, a *answerWriter, req *ftpUserSetReq) {
	upd, verr := updateValues(req.Values)
	h.match(ctx, req.Filter, req.scope(), func(m match) bool {
		if m.err == nil && m.account != nil {
			m.id = m.account.ID
			if verr != nil {
				m.err = verr
			} else if _, err := h.svc.UpdateAccount(ctx, m.account.Login, upd); err != nil {
				m.err = err
			}
		}
		a.result(h.filtered(ctx, "ftp-user set", m))
		return !a.failed()
	})
}

// ftpUserDel deletes every matched account; its results are written whole.
func (h *handler) ftpUserDel(ctx context.Context, a *answerWriter, req *ftpUserDelReq) {
	h.match(ctx, req.Filter, req.scope(), func(m match) bool {
		if m.err == nil && m.account != nil {
			m.id = m.account.ID
			m.err = h.svc.DeleteAccount(ctx, m.account.Login)
		}
		a.result(h.filtered(ctx, "ftp-user del", m))
		return !a.failed()
	})
}

// filtered is the result of set or del for one match.
func (h *handler) filtered(ctx context.Context, op string, m match) *filteredResult {
	r := &filteredResult{Status: statusOK, FilterID: filterIDOf(m.filterID, m.noFilter), ID: m.id}
	if m.err != nil {
		r.Status = statusError
		r.ErrCode, r.ErrText = h.opError(ctx, op, m.err, m.notFoundText())
	}
	return r
}

// notFoundText is Plesk's wording for a not_found error of m.
func (m match) notFoundText() string {
	if hosting.ErrorField(m.err) == "site" {
		return textNoWebspace
	}
	return textNoFTPUser
}

// match resolves a filter, within the optional webspace scope, into the
// additional accounts the caller may see, handing each to yield until it
// returns false. Main accounts are not part of ftp-user: naming one
// answers "does not exist", as for a missing account.
func (h *handler) match(ctx context.Context, f *filterReq, scope scopeReq, yield func(match) bool) {
	kind, values, _ := f.kind("") // checked when decoded
	var in *hosting.Site
	if scope.WebspaceID != nil || scope.WebspaceName != nil {
		site, err := h.scopeSite(ctx, scope)
		if err != nil {
			if len(values) == 0 {
				yield(match{err: err, noFilter: true})
				return
			}
			for _, v := range values {
				m := match{filterID: v, err: err}
				if id, ok := parseInt(v); ok && kind == filterID && id > 0 {
					m.id = id
				}
				if !yield(m) {
					return
				}
			}
			return
		}
		in = site
	}
	notFound := func(v string, id int64) match {
		return match{filterID: v, id: id, err: hosting.Errorf(hosting.CodeNotFound, textNoFTPUser)}
	}
	visible := func(a *hosting.Account) bool { return !a.Main && (in == nil || a.SiteID == in.ID) }
	switch kind {
	case filterID:
		for _, v := range values {
			var m match
			id, ok := parseInt(v)
			switch {
			case !ok:
				m = match{filterID: v,
					err: hosting.FieldErrorf(hosting.CodeInvalidInput, "id", "id %s is not a number", quoteShort(v))}
			case id <= 0:
				m = notFound(v, 0)
			default:
				a, err := h.svc.AccountByID(ctx, id)
				switch {
				case err != nil && hosting.ErrorCode(err) != hosting.CodeNotFound:
					m = match{filterID: v, id: id, err: err}
				case err != nil || !visible(a):
					m = notFound(v, id)
				default:
					m = match{filterID: v, account: a}
				}
			}
			if !yield(m) {
				return
			}
		}
	case filterName:
		for _, v := range values {
			var m match
			if name := strings.TrimSpace(v); name == "" {
				m = notFound(v, 0)
			} else {
				a, err := h.svc.Account(ctx, name)
				switch {
				case err != nil && hosting.ErrorCode(err) != hosting.CodeNotFound:
					m = match{filterID: v, err: err}
				case err != nil || !visible(a):
					m = notFound(v, 0)
				default:
					m = match{filterID: v, account: a}
				}
			}
			if !yield(m) {
				return
			}
		}
	case filterWebspaceID, filterWebspaceName:
		for _, v := range values {
			s := scopeReq{WebspaceName: &v}
			if kind == filterWebspaceID {
				s = scopeReq{WebspaceID: &v}
			}
			site, err := h.scopeSite(ctx, s)
			switch {
			case err != nil:
				if !yield(match{filterID: v, err: err}) {
					return
				}
			case in != nil && in.ID != site.ID:
				if !yield(match{filterID: v}) {
					return
				}
			default:
				if !h.siteAccounts(ctx, v, &site.ID, yield) {
					return
				}
			}
		}
	default: // the empty filter: everything visible
		var siteID *int64
		if in != nil {
			siteID = &in.ID
		}
		h.siteAccounts(ctx, "", siteID, yield)
	}
}

// accountPage is how many accounts siteAccounts reads at a time, so that
// answering a filter over many accounts never holds them all.
const accountPage = 500

// siteAccounts hands yield the additional accounts of a site (or of every
// visible site when siteID is nil) as matches with filterID, a page at a
// time; the empty filter (filterID "") answers each account's id as its
// filter-id. No account gives one match without account. It returns false
// when yield did.
func (h *handler) siteAccounts(ctx context.Context, filterID string, siteID *int64, yield func(match) bool) bool {
	main := false
	var after int64
	for n := 0; ; {
		list, err := h.svc.Accounts(ctx, hosting.AccountFilter{SiteID: siteID, Main: &main, AfterID: after, Limit: accountPage})
		if err != nil {
			return yield(match{filterID: filterID, noFilter: filterID == "", err: err})
		}
		if len(list) == 0 && n == 0 {
			return yield(match{filterID: filterID, noFilter: filterID == ""})
		}
		for _, a := range list {
			fid := filterID
			if fid == "" {
				fid = strconv.FormatInt(a.ID, 10)
			}
			if !yield(match{filterID: fid, account: a}) {
				return false
			}
			after = a.ID
		}
		n += len(list)
		if len(list) < accountPage {
			return true
		}
	}
}

// scopeSite returns the site a webspace-id or webspace-name names; an
// unknown one (or another customer's) is not_found on field "site".
func (h *handler) scopeSite(ctx context.Context, s scopeReq) (*hosting.Site, error) {
	var (
		site *hosting.Site
		err  error
	)
	if s.WebspaceID != nil {
		id, perr := webspaceID(*s.WebspaceID)
		if perr != nil {
			return nil, perr
		}
		site, err = h.svc.SiteByID(ctx, id)
	} else {
		site, err = h.svc.Site(ctx, strings.TrimSpace(*s.WebspaceName))
	}
	if err != nil {
		if hosting.ErrorCode(err) == hosting.CodeNotFound {
			return nil, hosting.FieldErrorf(hosting.CodeNotFound, "site", textNoWebspace)
		}
		return nil, err
	}
	return site, nil
}

// webspaceID parses a webspace-id; one that cannot exist is not_found.
func webspaceID(v string) (int64, error) {
	id, ok := parseInt(v)
	if !ok {
		return 0, hosting.FieldErrorf(hosting.CodeInvalidInput, "webspace-id", "webspace-id %s is not a number", quoteShort(v))
	}
	if id <= 0 {
		return 0, hosting.FieldErrorf(hosting.CodeNotFound, "site", textNoWebspace)
	}
	return id, nil
}

// updateValues translates <values> of set into an AccountUpdate.
func updateValues(v *setValuesReq) (hosting.AccountUpdate, error) {
	var u hosting.AccountUpdate
	if v.Name != nil {
		name := strings.TrimSpace(*v.Name)
		u.Login = &name
	}
	u.Password = v.Password // "" is refused by the service
	if v.Home != nil {
		home := strings.TrimSpace(*v.Home)
		u.Home = &home
	}
	var err error
	if v.CreateNonExistent != nil {
		if u.CreateMissing, err = boolValue("create-non-existent", *v.CreateNonExistent); err != nil {
			return u, err
		}
	}
	if u.QuotaBytes, err = quotaValue(v.Quota); err != nil {
		return u, err
	}
	u.Read, u.Write, err = permissionValues(v.Permissions)
	return u, err
}

func boolValue(field, s string) (bool, error) {
	b, ok := parseBool(s)
	if !ok {
		return false, hosting.FieldErrorf(hosting.CodeInvalidInput, field,
			"%s must be true, false, 1 or 0, not %s", field, quoteShort(s))
	}
	return b, nil
}

func quotaValue(s *string) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	q, ok := parseInt(*s)
	if !ok {
		return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "quota",
			"quota must be -1 (unlimited) or a number of bytes, not %s", quoteShort(*s))
	}
	return &q, nil
}

func permissionValues(p *permissionsReq) (read, write *bool, err error) {
	if p == nil {
		return nil, nil, nil
	}
	if p.Read != nil {
		b, err := boolValue("read", *p.Read)
		if err != nil {
			return nil, nil, err
		}
		read = &b
	}
	if p.Write != nil {
		b, err := boolValue("write", *p.Write)
		if err != nil {
			return nil, nil, err
		}
		write = &b
	}
	return read, write, nil
}
