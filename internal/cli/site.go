package cli

import (
	"context"

	"fmt"
	"io"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) siteCommand() *cobra.Command {
	return noun("site", "Manage sites (web domains) and their main FTP accounts",
		a.siteAdd(), a.siteList(), a.siteShow(), a.siteSet(),
		a.siteStatus("suspend", hosting.StatusSuspended), a.siteStatus("unsuspend", hosting.StatusActive),
		a.siteDel())
}

// siteView is a site as the CLI shows it.
type siteView struct {
	*hosting.Site
	DisplayName     string         `json:"display_name"` // Unicode form of name
	EffectiveStatus hosting.Status `json:"effective_status"`
	MainLogin       string         `json:"main_login,omitempty"` // show only
	Accounts        *int           `json:"accounts,omitempty"`   // additional accounts; show only
}

func newSiteView(s *hosting.Site) siteView {
	return siteView{Site: s, DisplayName: hosting.DisplayDomain(s.Name), EffectiveStatus: s.EffectiveStatus()}
}

// siteStatusText says why a site is suspended.
func siteStatusText(s *hosting.Site) string {
	switch {
	case s.Status == hosting.StatusSuspended:
		return "suspended"
	case s.CustomerStatus == hosting.StatusSuspended:
		return "suspended (customer)"
	}
	return "active"
}

func systemUserText(uid, gid int) string {
	if uid < 0 || gid < 0 {
		return "-"
	}
	return fmt.Sprintf("%d:%d", uid, gid)
}

func (a *app) siteAdd() *cobra.Command {
	var in hosting.SiteCreate
	var pw, sysUser string
	limit, quota := limitOpt(), bytesOpt()
	c := &cobra.Command{
		Use:   "add DOMAIN --customer LOGIN",
		Short: "Add a site with its root folder and main FTP account (login and password printed once)",
		Args:  exactArgs("DOMAIN"),
	}
	c.Flags().StringVar(&in.Customer, "customer", "", "owner's customer login (required)")
	c.Flags().StringVar(&in.Root, "root", "", "absolute root folder (default <sites_dir>/<domain>)")
	c.Flags().StringVar(&in.IP, "ip", "", "IP address shown to users")
	c.Flags().Var(limit, "max-ftp-accounts", "additional FTP accounts (-1 or unlimited; default unlimited)")
	c.Flags().Var(quota, "default-quota", "quota of new accounts, e.g. 500M, 10G (default unlimited)")
	c.Flags().StringVar(&sysUser, "system-user", "", "UID:GID owning files uploaded over FTP (when running as root)")
	c.Flags().StringVar(&in.MainLogin, "main-login", "", "main FTP account's login (default generated)")
	c.Flags().StringVar(&pw, "main-password", "", `main FTP account's password ("-" reads it from stdin; default generated)`)
	_ = c.MarkFlagRequired("customer")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		var err error
		if in.MainPassword, err = a.optSecret(cmd, "main-password", pw); err != nil {
			return err
		}
		if sysUser != "" {
			uid, gid, err := parseSystemUser(sysUser, false)
			if err != nil {
				return usageErr(cmd, "system_user", "--system-user: %v", err)
			}
			in.UID, in.GID = &uid, &gid
		}
		in.Name, in.MaxFTPAccounts, in.DefaultQuota = args[0], limit.v, quota.v
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		s, main, gen, err := svc.CreateSite(ctx, in)
		if err != nil {
			return err
		}
		out := struct {
			Site        siteView         `json:"site"`
			MainAccount *hosting.Account `json:"main_account"`
			Password    string           `json:"password,omitempty"`
		}{newSiteView(s), main, gen}
		return a.print(out, func(w io.Writer) {
			fmt.Fprintf(w, "site %s created for customer %s (root %s)\n", hosting.DisplayDomain(s.Name), s.CustomerLogin, s.Root)
			fmt.Fprintf(w, "main FTP account: %s\n", main.Login)
			if gen != "" {
				fmt.Fprintf(w, "password: %s  %s\n", gen, shownOnce)
			}
		})
	})
	return c
}

func (a *app) siteList() *cobra.Command {
	var f hosting.SiteFilter
	var customer, status string
	c := &cobra.Command{Use: "list", Short: "List sites", Args: exactArgs()}
	c.Flags().StringVar(&customer, "customer", "", "only this customer's sites")
	c.Flags().StringVar(&status, "status", "", "only active or suspended sites (own status)")
	c.Flags().StringVar(&f.Query, "query", "", "only sites whose name contains this")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		if err := statusFilter(cmd, status, &f.Status); err != nil {
			return err
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if customer != "" {
			cu, err := svc.Customer(ctx, customer)
			if err != nil {
				return err
			}
			f.CustomerID = &cu.ID
		}
		sites, err := svc.Sites(ctx, f)
		if err != nil {
			return err
		}
		views := make([]siteView, len(sites))
		for i, s := range sites {
			views[i] = newSiteView(s)
		}
		return a.print(views, func(w io.Writer) {
			row(w, "NAME", "CUSTOMER", "STATUS", "ROOT", "IP", "MAX ACCOUNTS", "DEFAULT QUOTA", "USED", "MEASURED")
			for _, s := range sites {
				row(w, hosting.DisplayDomain(s.Name), s.CustomerLogin, siteStatusText(s), s.Root, orDash(s.IP),
					fmtLimit(s.MaxFTPAccounts), fmtBytes(s.DefaultQuota), fmtBytes(s.UsedBytes), fmtTimePtr(s.UsedMeasuredAt))
			}
		})
	})
	return c
}

func (a *app) siteShow() *cobra.Command {
	c := &cobra.Command{Use: "show DOMAIN", Short: "Show a site", Args: exactArgs("DOMAIN")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		s, err := svc.Site(ctx, args[0])
		if err != nil {
			return err
		}
		yes, no := true, false
		mains, err := svc.Accounts(ctx, hosting.AccountFilter{SiteID: &s.ID, Main: &yes, Limit: 1})
		if err != nil {
			return err
		}
		n, err := svc.CountAccounts(ctx, hosting.AccountFilter{SiteID: &s.ID, Main: &no})
		if err != nil {
			return err
		}
		v := newSiteView(s)
		v.Accounts = &n
		if len(mains) > 0 {
			v.MainLogin = mains[0].Login
		}
		return a.print(v, func(w io.Writer) {
			kv(w, "Name", v.DisplayName)
			if v.DisplayName != s.Name {
				kv(w, "ASCII name", s.Name)
			}
			kv(w, "ID", s.ID, "Customer", s.CustomerLogin, "Status", siteStatusText(s), "Root", s.Root,
				"IP", orDash(s.IP), "System user", systemUserText(s.UID, s.GID),
				"Main FTP account", orDash(v.MainLogin), "Additional accounts", n,
				"Max FTP accounts", fmtLimit(s.MaxFTPAccounts), "Default quota", fmtBytes(s.DefaultQuota),
				"Used", fmtBytes(s.UsedBytes), "Used measured", fmtTimePtr(s.UsedMeasuredAt),
				"Created", fmtTime(s.CreatedAt), "Updated", fmtTime(s.UpdatedAt))
		})
	})
	return c
}

func (a *app) siteSet() *cobra.Command {
	var ip, sysUser, customer string
	limit, quota := limitOpt(), bytesOpt()
	c := &cobra.Command{Use: "set DOMAIN", Short: "Change a site's IP, limits, system user or owner", Args: exactArgs("DOMAIN")}
	c.Flags().StringVar(&ip, "ip", "", `IP address shown to users ("" clears it)`)
	c.Flags().Var(limit, "max-ftp-accounts", "additional FTP accounts (-1 or unlimited)")
	c.Flags().Var(quota, "default-quota", "quota of new accounts, e.g. 500M, 10G, unlimited")
	c.Flags().StringVar(&sysUser, "system-user", "", "UID:GID owning uploaded files, or none")
	c.Flags().StringVar(&customer, "customer", "", "move the site (and its accounts) to this customer")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		u := hosting.SiteUpdate{MaxFTPAccounts: limit.v, DefaultQuota: quota.v}
		if cmd.Flags().Changed("ip") {
			u.IP = &ip
		}
		if cmd.Flags().Changed("customer") {
			u.Customer = &customer
		}
		if cmd.Flags().Changed("system-user") {
			uid, gid, err := parseSystemUser(sysUser, true)
			if err != nil {
				return usageErr(cmd, "system_user", "--system-user: %v", err)
			}
			u.UID, u.GID = &uid, &gid
		}
		if u == (hosting.SiteUpdate{}) {
			return usageErr(cmd, "", "nothing to change: give --ip, --max-ftp-accounts, --default-quota, --system-user or --customer")
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		s, err := svc.UpdateSite(ctx, args[0], u)
		if err != nil {
			return err
		}
		return a.print(newSiteView(s), func(w io.Writer) {
			fmt.Fprintf(w, "site %s updated\n", hosting.DisplayDomain(s.Name))
		})
	})
	return c
}

func (a *app) siteStatus(name string, st hosting.Status) *cobra.Command {
	short := "Suspend a site: its FTP accounts stop working and their sessions are closed"
	if st == hosting.StatusActive {
		short = "Unsuspend a site: each account gets back its own status"
	}
	c := &cobra.Command{Use: name + " DOMAIN", Short: short, Args: exactArgs("DOMAIN")}
	c.RunE = a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
		s, err := svc.SetSiteStatus(ctx, args[0], st)
		if err != nil {
			return err
		}
		return a.print(newSiteView(s), func(w io.Writer) {
			fmt.Fprintf(w, "site %s is %s\n", hosting.DisplayDomain(s.Name), s.Status)
		})
	})
	return c
}

func (a *app) siteDel() *cobra.Command {
	c := &cobra.Command{
		Use:   "del DOMAIN",
		Short: "Delete a site with all its FTP accounts (the files stay on disk)",
		Args:  exactArgs("DOMAIN"),
	}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		s, err := svc.Site(ctx, args[0])
		if err != nil {
			return err
		}
		if err := svc.DeleteSite(ctx, s.Name); err != nil {
			return err
		}
		return a.print(deleted{Deleted: s.Name, Type: "site"}, func(w io.Writer) {
			fmt.Fprintf(w, "site %s deleted with its FTP accounts; its files stay in %s\n", hosting.DisplayDomain(s.Name), s.Root)
		})
	})
	return c
}
