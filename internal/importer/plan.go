package importer

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"ftpanel/internal/hosting"
)

// Outcome is what happened to one record.
type Outcome string

// Outcomes.
const (
	Created   Outcome = "created"   // created (in a dry run: would be created)
	Unchanged Outcome = "unchanged" // an identical object exists and was left alone
	Refused   Outcome = "refused"   // not imported; Code and Message say why
)

// Result is the outcome of one record, or of a customer or site an import
// creates (HestiaCP).
type Result struct {
	File    string       `json:"file"`
	Line    int          `json:"line"`
	Kind    string       `json:"kind"` // account, customer or site
	Login   string       `json:"login,omitempty"`
	Site    string       `json:"site,omitempty"`
	Home    string       `json:"home,omitempty"` // account: site-relative home; site: its root folder
	Result  Outcome      `json:"result"`
	Code    hosting.Code `json:"code,omitempty"`
	Message string       `json:"message,omitempty"`
	Field   string       `json:"field,omitempty"`
	Notes   []string     `json:"notes,omitempty"`
}

// Mapping rewrites the start of old-server paths: a home or site root
// equal to Old, or under Old/, is moved under New.
type Mapping struct{ Old, New string }

// ParseMapping reads "OLD=NEW" (both absolute folder paths).
func ParseMapping(s string) (Mapping, error) {
	o, n, ok := strings.Cut(s, "=")
	if !ok || !strings.HasPrefix(o, "/") || !strings.HasPrefix(n, "/") || strings.ContainsAny(s, "\x00\n\r") {
		return Mapping{}, hosting.FieldErrorf(hosting.CodeInvalidInput, "map_home", "--map-home %q: want OLD=NEW, two absolute folder paths", s)
	}
	for _, p := range []string{o, n} {
		for _, seg := range strings.Split(p, "/") {
			if seg == ".." {
				return Mapping{}, hosting.FieldErrorf(hosting.CodeInvalidInput, "map_home", "--map-home %q: \"..\" is not allowed", s)
			}
		}
	}
	return Mapping{Old: path.Clean(o), New: path.Clean(n)}, nil
}

// mapPath applies the longest matching mapping to p.
func mapPath(p string, ms []Mapping) string {
	best := -1
	for i, m := range ms {
		if within(p, m.Old) && (best < 0 || len(m.Old) > len(ms[best].Old)) {
			best = i
		}
	}
	if best < 0 {
		return p
	}
	return path.Join(ms[best].New, strings.TrimPrefix(p, ms[best].Old))
}

// within reports whether p is root or inside it.
func within(p, root string) bool {
	root = strings.TrimRight(root, "/")
	return p == root || root == "" || strings.HasPrefix(p, root+"/")
}

// RunOptions tune Run.
type RunOptions struct {
	DryRun        bool
	Customer      string    // only sites of this customer
	Site          string    // every account goes to this site
	MapHome       []Mapping // old → new folder paths
	CreateMissing bool      // create missing home folders
	// Progress is called after each record with the number done and the total.
	Progress func(done, total int)
}

// Run imports recs through svc (whose context must carry an admin actor)
// and returns one result per record, in order, preceded by the customers
// and sites it creates. An error means nothing could be planned (an
// unknown --site or --customer, an unreadable site list).
func Run(ctx context.Context, svc *hosting.Service, recs []Record, o RunOptions) ([]Result, error) {
	p := &planner{svc: svc, o: o, siteByName: map[string]*siteState{}, customers: map[string]*custState{},
		planned: map[string]plannedAccount{}, counts: map[string]int{}}
	if o.Customer != "" {
		if _, err := svc.Customer(ctx, o.Customer); err != nil {
			if hosting.ErrorCode(err) == hosting.CodeNotFound {
				return nil, hosting.FieldErrorf(hosting.CodeNotFound, "customer", "customer %q not found", o.Customer)
			}
			return nil, fmt.Errorf("importer: customer: %w", err)
		}
	}
	if o.Site != "" {
		s, err := svc.Site(ctx, o.Site)
		if err != nil {
			if hosting.ErrorCode(err) == hosting.CodeNotFound {
				return nil, hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %q not found", o.Site)
			}
			return nil, fmt.Errorf("importer: site: %w", err)
		}
		if o.Customer != "" && s.CustomerLogin != o.Customer {
			return nil, hosting.FieldErrorf(hosting.CodeConflict, "site", "site %s belongs to %s, not to --customer %s", s.Name, s.CustomerLogin, o.Customer)
		}
		p.fixed = s
	}
	sites, err := svc.Sites(ctx, hosting.SiteFilter{})
	if err != nil {
		return nil, fmt.Errorf("importer: list sites: %w", err)
	}
	for _, s := range sites {
		p.addSite(s)
	}
	if p.fixed != nil && p.siteByName[p.fixed.Name] != nil {
		p.fixed = p.siteByName[p.fixed.Name].site // one object, so that changes to it are seen by every line
	}
	var out []Result
	for i := range recs {
		out = append(out, p.record(ctx, &recs[i])...)
		if o.Progress != nil {
			o.Progress(i+1, len(recs))
		}
	}
	return out, nil
}

type siteState struct {
	site    *hosting.Site // nil when only planned (dry run) or refused
	planned *hosting.Site // the site a dry run would create
	err     error         // why the site cannot be used
	// dry-run limit accounting: additional accounts existing + planned
	count int
	known bool
}

type custState struct{ err error }

type plannedAccount struct{ site, home, hash string }

type planner struct {
	svc        *hosting.Service
	o          RunOptions
	fixed      *hosting.Site
	roots      []*hosting.Site // longest root first
	siteByName map[string]*siteState
	customers  map[string]*custState
	planned    map[string]plannedAccount // dry run: logins this run would create
	counts     map[string]int            // dry run: additional accounts per customer (existing + planned)
}

func (p *planner) addSite(s *hosting.Site) {
	p.siteByName[s.Name] = &siteState{site: s}
	p.roots = append(p.roots, s)
	sort.SliceStable(p.roots, func(i, j int) bool { return len(p.roots[i].Root) > len(p.roots[j].Root) })
}

func refusal(r *Record, kind string, err error) Result {
	return Result{File: r.File, Line: r.Line, Kind: kind, Login: r.Login, Site: r.Site, Result: Refused,
		Code: hosting.ErrorCode(err), Message: hosting.ErrorMessage(err), Field: hosting.ErrorField(err), Notes: r.Notes}
}

// record imports one record; the results are the account's, preceded by
// a customer or site created for it.
func (p *planner) record(ctx context.Context, r *Record) []Result {
	if r.Err != nil {
		return []Result{refusal(r, "account", r.Err)}
	}
	var pre []Result
	var site *hosting.Site
	var err error
	if r.Compat == hosting.CompatHestia {
		site, pre, err = p.hestiaSite(ctx, r)
	} else {
		site, err = p.matchSite(ctx, r)
	}
	if err != nil {
		return append(pre, refusal(r, "account", err))
	}
	if r.Login == "" { // a HestiaCP domain without FTP accounts
		return pre
	}
	res, err := p.account(ctx, r, site)
	if err != nil {
		x := refusal(r, "account", err)
		x.Site, x.Notes = site.Name, res.Notes
		return append(pre, x)
	}
	return append(pre, res)
}

// hestiaSite returns the site of a HestiaCP record, creating its customer
// and site on first use.
func (p *planner) hestiaSite(ctx context.Context, r *Record) (*hosting.Site, []Result, error) {
	if p.o.Customer != "" && r.Customer != p.o.Customer {
		return nil, nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "customer", "HestiaCP user %s is not --customer %s", r.Customer, p.o.Customer)
	}
	if p.fixed != nil && r.Site != p.fixed.Name {
		return nil, nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "site", "web domain %s is not --site %s", r.Site, p.fixed.Name)
	}
	var pre []Result
	c, ok := p.customers[r.Customer]
	if !ok {
		c = &custState{}
		p.customers[r.Customer] = c
		if _, err := p.svc.Customer(ctx, r.Customer); hosting.ErrorCode(err) == hosting.CodeNotFound {
			res := Result{File: r.File, Line: r.Line, Kind: "customer", Login: r.Customer, Result: Created,
				Message: "set a panel password with: ftpanel customer passwd " + r.Customer}
			if p.o.DryRun {
				err = p.svc.Policy().CheckCustomerLogin(r.Customer)
			} else {
				_, _, err = p.svc.CreateCustomer(ctx, hosting.CustomerCreate{Login: r.Customer, Name: r.CustomerName, Email: r.Email})
			}
			if err != nil {
				c.err = err
				res = refusal(r, "customer", err)
				res.Login, res.Site, res.Notes = r.Customer, "", nil
			}
			pre = append(pre, res)
		} else if err != nil {
			c.err = err
		}
	}
	if c.err != nil {
		return nil, pre, c.err
	}
	st, ok := p.siteByName[r.Site]
	if !ok {
		st = &siteState{}
		p.siteByName[r.Site] = st
		root := mapPath(r.SiteRoot, p.o.MapHome)
		res := Result{File: r.File, Line: r.Line, Kind: "site", Site: r.Site, Home: root, Result: Created}
		if s, err := p.svc.Site(ctx, r.Site); err == nil {
			st.site = s
		} else if hosting.ErrorCode(err) != hosting.CodeNotFound {
			st.err = err
		} else if p.o.DryRun {
			if _, err := hosting.NormalizeDomain(r.Site); err != nil {
				st.err = err
			} else {
				st.planned = &hosting.Site{Name: r.Site, CustomerLogin: r.Customer, Root: root, UID: -1, GID: -1,
					Status: hosting.StatusActive, MaxFTPAccounts: hosting.Unlimited, DefaultQuota: hosting.Unlimited}
				pre = append(pre, res)
			}
		} else {
			s, main, _, err := p.svc.CreateSite(ctx, hosting.SiteCreate{Name: r.Site, Customer: r.Customer, Root: root})
			if err != nil {
				st.err = err
			} else {
				st.site = s
				p.addSite(s)
				res.Site, res.Login = s.Name, main.Login
				res.Message = "main account " + main.Login + "; set its password with: ftpanel account passwd " + main.Login
				pre = append(pre, res)
			}
		}
		if st.err != nil {
			x := refusal(r, "site", st.err)
			x.Login, x.Notes = "", nil
			pre = append(pre, x)
		}
	}
	if st.err != nil {
		return nil, pre, st.err
	}
	s := st.site
	if s == nil {
		s = st.planned
	}
	if s.CustomerLogin != r.Customer {
		return nil, pre, hosting.FieldErrorf(hosting.CodeConflict, "site", "site %s exists and belongs to %s, not %s", s.Name, s.CustomerLogin, r.Customer)
	}
	// The home, relative to the web domain's folder on the old server.
	rel := strings.TrimPrefix(strings.TrimPrefix(r.Home, strings.TrimRight(r.SiteRoot, "/")), "/")
	r.Home = "/" + rel
	return s, pre, nil
}

// matchSite finds the site of a record: --site, the record's site, or the
// longest site root containing its home. It makes r.Home site-relative.
func (p *planner) matchSite(ctx context.Context, r *Record) (*hosting.Site, error) {
	// Every source gives the home as a path of the old server, except a
	// generic record naming its site, whose home may be site-relative.
	oldPath := r.Site == ""
	if oldPath && r.Home != "" && !strings.HasPrefix(r.Home, "/") {
		if p.fixed == nil {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidHome, "home", "home %q must be an absolute path when no site is named", r.Home)
		}
		oldPath = false // site-relative to --site
	}
	mapped := r.Home
	if strings.HasPrefix(r.Home, "/") {
		mapped = mapPath(r.Home, p.o.MapHome)
	}
	var site *hosting.Site
	switch {
	case p.fixed != nil:
		site = p.fixed
		if r.Site != "" && r.Site != site.Name {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidInput, "site", "the line names site %s, not --site %s", r.Site, site.Name)
		}
	case r.Site != "":
		st, ok := p.siteByName[r.Site]
		if !ok {
			name, err := hosting.NormalizeDomain(r.Site)
			if st, ok = p.siteByName[name]; err != nil || !ok {
				return nil, hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %q not found", r.Site)
			}
		}
		if st.site == nil {
			return nil, hosting.FieldErrorf(hosting.CodeNotFound, "site", "site %q not found", r.Site)
		}
		site = st.site
	default:
		if r.Home == "" {
			return nil, hosting.FieldErrorf(hosting.CodeInvalidHome, "home", "no home folder for %s: give --site to use the site root", r.Login)
		}
		for _, s := range p.roots {
			if within(mapped, s.Root) && (p.o.Customer == "" || s.CustomerLogin == p.o.Customer) &&
				(r.Customer == "" || s.CustomerLogin == r.Customer) {
				site = s
				break
			}
		}
		if site == nil {
			return nil, hosting.FieldErrorf(hosting.CodeHomeOutsideSite, "home", "home %s is outside every site", mapped)
		}
	}
	if r.Customer != "" && site.CustomerLogin != r.Customer {
		return nil, hosting.FieldErrorf(hosting.CodeConflict, "customer", "site %s belongs to %s, not %s", site.Name, site.CustomerLogin, r.Customer)
	}
	if p.o.Customer != "" && site.CustomerLogin != p.o.Customer {
		return nil, hosting.FieldErrorf(hosting.CodeConflict, "customer", "site %s belongs to %s, not to --customer %s", site.Name, site.CustomerLogin, p.o.Customer)
	}
	switch {
	case r.Home == "":
		r.Home = "/"
	case strings.HasPrefix(r.Home, "/") && within(mapped, site.Root):
		r.Home = "/" + strings.TrimPrefix(strings.TrimPrefix(mapped, strings.TrimRight(site.Root, "/")), "/")
	case oldPath:
		return nil, hosting.FieldErrorf(hosting.CodeHomeOutsideSite, "home", "home %s is outside site %s (%s)", mapped, site.Name, site.Root)
	}
	// Otherwise a site-relative home of a generic record, checked by the
	// service like any home.
	return site, nil
}

// account imports the account of r into site.
func (p *planner) account(ctx context.Context, r *Record, site *hosting.Site) (Result, error) {
	res := Result{File: r.File, Line: r.Line, Kind: "account", Login: r.Login, Site: site.Name, Notes: r.Notes}
	in := hosting.AccountImport{SiteID: site.ID, Login: r.Login, PasswordHash: r.Hash, Password: r.Password,
		Home: r.Home, CreateMissing: p.o.CreateMissing, QuotaBytes: r.QuotaBytes, Read: r.Read, Write: r.Write,
		AllowedIPs: r.AllowedIPs, Compat: r.Compat, DryRun: p.o.DryRun}
	if site.ID == 0 { // a site a dry run would create: check without the store
		a, err := p.svc.PrepareImport(site, in)
		if err != nil {
			return res, err
		}
		res.Home = a.Home
		if _, ok := p.planned[r.Login]; !ok {
			if _, err := p.svc.Account(ctx, r.Login); err == nil {
				return res, hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q already exists on another site", r.Login)
			} else if hosting.ErrorCode(err) != hosting.CodeNotFound {
				return res, err
			}
		}
		return p.dryDuplicate(r, site, res)
	}
	if err := checkSystemUser(r, site); err != nil {
		return res, err
	}
	if p.o.DryRun {
		if _, ok := p.planned[r.Login]; ok {
			a, err := p.svc.PrepareImport(site, in)
			if err != nil {
				return res, err
			}
			res.Home = a.Home
			return p.dryDuplicate(r, site, res)
		}
	}
	a, outcome, err := p.svc.ImportAccount(ctx, in)
	if err != nil {
		return res, err
	}
	res.Home = a.Home
	res.Result = Outcome(outcome)
	if p.o.DryRun && outcome == hosting.ImportCreated {
		if err := p.dryLimits(ctx, site); err != nil {
			return res, err
		}
		p.planned[r.Login] = plannedAccount{site: site.Name, home: a.Home, hash: r.Hash + "\x00" + r.Password}
	}
	if outcome == hosting.ImportCreated {
		p.setSystemUser(ctx, r, site, &res)
	}
	return res, nil
}

// dryDuplicate is a dry run's answer for a login this run would already
// have created: unchanged when identical, else login_taken.
func (p *planner) dryDuplicate(r *Record, site *hosting.Site, res Result) (Result, error) {
	want := plannedAccount{site: site.Name, home: res.Home, hash: r.Hash + "\x00" + r.Password}
	if prev, ok := p.planned[r.Login]; ok {
		if prev != want {
			return res, hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q already exists with a different site, home or password (earlier in this import)", r.Login)
		}
		res.Result = Unchanged
		return res, nil
	}
	p.planned[r.Login] = want
	res.Result = Created
	return res, nil
}

// dryLimits counts a planned account against the site's and customer's
// max_ftp_accounts, which the store checks only on a real write.
func (p *planner) dryLimits(ctx context.Context, site *hosting.Site) error {
	st := p.siteByName[site.Name]
	if st == nil {
		return nil
	}
	if !st.known {
		notMain := false
		n, err := p.svc.CountAccounts(ctx, hosting.AccountFilter{SiteID: &site.ID, Main: &notMain})
		if err != nil {
			return err
		}
		st.count, st.known = n, true
	}
	if site.MaxFTPAccounts >= 0 && st.count >= site.MaxFTPAccounts {
		return hosting.Errorf(hosting.CodeLimitExceeded, "site %s allows %d additional FTP accounts", site.Name, site.MaxFTPAccounts)
	}
	c, err := p.svc.Customer(ctx, site.CustomerLogin)
	if err != nil {
		return err
	}
	n, ok := p.counts[c.Login]
	if !ok {
		notMain := false
		if n, err = p.svc.CountAccounts(ctx, hosting.AccountFilter{CustomerID: &c.ID, Main: &notMain}); err != nil {
			return err
		}
	}
	if c.MaxFTPAccounts >= 0 && n >= c.MaxFTPAccounts {
		return hosting.Errorf(hosting.CodeLimitExceeded, "customer %s allows %d additional FTP accounts", c.Login, c.MaxFTPAccounts)
	}
	st.count++
	p.counts[c.Login] = n + 1
	return nil
}

// checkSystemUser refuses a record whose uid:gid differs from the site's
// system user.
func checkSystemUser(r *Record, site *hosting.Site) error {
	if r.UID == nil || r.GID == nil || !site.HasSystemUser() {
		return nil
	}
	if site.UID != *r.UID || site.GID != *r.GID {
		return hosting.FieldErrorf(hosting.CodeConflict, "system_user", "uid:gid %d:%d differs from site %s's system user %d:%d",
			*r.UID, *r.GID, site.Name, site.UID, site.GID)
	}
	return nil
}

// setSystemUser makes the record's uid:gid the system user of a site that
// has none, once its account is created (in a dry run: would be). uid or
// gid 0 (root) is never used. A failure is noted on the result: the
// account itself is created.
func (p *planner) setSystemUser(ctx context.Context, r *Record, site *hosting.Site, res *Result) {
	if r.UID == nil || r.GID == nil || site.HasSystemUser() {
		return
	}
	uid, gid := *r.UID, *r.GID
	switch {
	case uid == 0 || gid == 0:
		res.Notes = append(res.Notes, "uid:gid 0 (root) not made the site's system user")
	case p.o.DryRun:
		res.Notes = append(res.Notes, fmt.Sprintf("site %s's system user would become %d:%d", site.Name, uid, gid))
		site.UID, site.GID = uid, gid // so that later lines agree or conflict as they would
	default:
		s, err := p.svc.UpdateSite(ctx, site.Name, hosting.SiteUpdate{UID: &uid, GID: &gid})
		if err != nil {
			res.Notes = append(res.Notes, "site "+site.Name+"'s system user not set: "+hosting.ErrorMessage(err))
			return
		}
		*site = *s
		res.Notes = append(res.Notes, fmt.Sprintf("site %s's system user set to %d:%d", site.Name, uid, gid))
	}
}
