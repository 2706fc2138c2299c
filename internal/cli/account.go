package cli

import (
	"context"

	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) accountCommand() *cobra.Command {
	return noun("account", "Manage FTP accounts",
		a.accountAdd(), a.accountList(), a.accountShow(), a.accountPasswd(), a.accountHome(),
		a.accountQuota(), a.accountPerms(), a.accountSet(),
		a.accountStatus("suspend", hosting.StatusSuspended), a.accountStatus("unsuspend", hosting.StatusActive),
		a.accountDel(), a.accountKey())
}

// accountView is an account as the CLI shows it.
type accountView struct {
	*hosting.Account
	EffectiveStatus hosting.Status `json:"effective_status"`
}

func newAccountView(x *hosting.Account) accountView {
	return accountView{Account: x, EffectiveStatus: x.EffectiveStatus()}
}

// accountStatusText says whether an account works, and if not, why.
func accountStatusText(x *hosting.Account) string {
	switch {
	case x.Status == hosting.StatusSuspended:
		return "suspended"
	case x.SiteStatus == hosting.StatusSuspended:
		return "suspended (site)"
	case x.CustomerStatus == hosting.StatusSuspended:
		return "suspended (customer)"
	}
	return "active"
}

func (a *app) accountAdd() *cobra.Command {
	var in hosting.AccountCreate
	var pw string
	var read, write bool
	quota, expires := bytesOpt(), expiresOpt()
	c := &cobra.Command{
		Use:   "add --site DOMAIN",
		Short: "Add an FTP account to a site (login and password generated and printed once when omitted)",
		Args:  exactArgs(),
	}
	f := c.Flags()
	f.StringVar(&in.Site, "site", "", "the site (domain) the account belongs to (required)")
	f.StringVar(&in.Login, "login", "", "login (default generated)")
	f.StringVar(&pw, "password", "", `password ("-" reads it from stdin; default generated)`)
	f.StringVar(&in.PasswordHash, "password-hash", "", "import an existing crypt or argon2id hash instead of a password")
	f.StringVar(&in.Home, "home", "/", "home folder, relative to the site root")
	f.BoolVar(&in.CreateMissing, "create-missing", false, "create the home folder when it does not exist")
	f.Var(quota, "quota", "quota, e.g. 500M, 10G, unlimited (default: the site's default quota)")
	f.BoolVar(&read, "read", true, "may list and download (--read=false to forbid)")
	f.BoolVar(&write, "write", true, "may upload, create folders, rename and delete (--write=false to forbid)")
	f.Var(expires, "expires", "no login from this time on: RFC 3339 or YYYY-MM-DD (UTC)")
	f.StringArrayVar(&in.AllowedIPs, "allowed-ip", nil, "address or CIDR it may log in from (repeatable; default any)")
	_ = c.MarkFlagRequired("site")
	c.MarkFlagsMutuallyExclusive("password", "password-hash")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		var err error
		if in.Password, err = a.optSecret(cmd, "password", pw); err != nil {
			return err
		}
		in.QuotaBytes, in.Read, in.Write = quota.v, &read, &write
		if expires.v != nil {
			in.ExpiresAt = *expires.v
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		x, gen, err := svc.CreateAccount(ctx, in)
		if err != nil {
			return err
		}
		out := struct {
			Account  accountView `json:"account"`
			Password string      `json:"password,omitempty"`
		}{newAccountView(x), gen}
		return a.print(out, func(w io.Writer) {
			fmt.Fprintf(w, "account %s created on %s (home %s)\n", x.Login, hosting.DisplayDomain(x.SiteName), x.Home)
			fmt.Fprintf(w, "login: %s\n", x.Login)
			if gen != "" {
				fmt.Fprintf(w, "password: %s  %s\n", gen, shownOnce)
			}
		})
	})
	return c
}

func (a *app) accountList() *cobra.Command {
	var f hosting.AccountFilter
	var site, customer, status string
	c := &cobra.Command{Use: "list", Short: "List FTP accounts", Args: exactArgs()}
	c.Flags().StringVar(&site, "site", "", "only this site's accounts")
	c.Flags().StringVar(&customer, "customer", "", "only this customer's accounts")
	c.Flags().StringVar(&status, "status", "", "only accounts with this own status (active or suspended)")
	c.Flags().StringVar(&f.Query, "query", "", "only logins containing this")
	c.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (0 = all)")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		if err := statusFilter(cmd, status, &f.Status); err != nil {
			return err
		}
		if f.Limit < 0 {
			return usageErr(cmd, "limit", "--limit must be ≥ 0")
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if site != "" {
			s, err := svc.Site(ctx, site)
			if err != nil {
				return err
			}
			f.SiteID = &s.ID
		}
		if customer != "" {
			cu, err := svc.Customer(ctx, customer)
			if err != nil {
				return err
			}
			f.CustomerID = &cu.ID
		}
		xs, err := svc.Accounts(ctx, f)
		if err != nil {
			return err
		}
		views := make([]accountView, len(xs))
		for i, x := range xs {
			views[i] = newAccountView(x)
		}
		return a.print(views, func(w io.Writer) {
			row(w, "LOGIN", "SITE", "HOME", "QUOTA", "USED", "MEASURED", "PERMS", "STATUS", "MAIN")
			for _, x := range xs {
				row(w, x.Login, hosting.DisplayDomain(x.SiteName), x.Home, fmtBytes(x.QuotaBytes), fmtBytes(x.UsedBytes),
					fmtTimePtr(x.UsedMeasuredAt), fmtPerms(x.Read, x.Write), accountStatusText(x), fmtBool(x.Main))
			}
		})
	})
	return c
}

func (a *app) accountShow() *cobra.Command {
	c := &cobra.Command{Use: "show LOGIN", Short: "Show an FTP account", Args: exactArgs("LOGIN")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		x, err := svc.Account(ctx, args[0])
		if err != nil {
			return err
		}
		return a.print(newAccountView(x), func(w io.Writer) {
			ips := "any"
			if len(x.AllowedIPs) > 0 {
				ips = strings.Join(x.AllowedIPs, ", ")
			}
			kv(w, "Login", x.Login, "ID", x.ID, "Site", hosting.DisplayDomain(x.SiteName), "Customer", x.CustomerLogin,
				"Main account", fmtBool(x.Main), "Home", x.Home)
			if x.SiteRoot != "" {
				kv(w, "Folder", filepath.Join(x.SiteRoot, filepath.FromSlash(x.Home)))
			}
			kv(w, "Quota", fmtBytes(x.QuotaBytes), "Used", fmtBytes(x.UsedBytes),
				"Used measured", fmtTimePtr(x.UsedMeasuredAt), "Read", fmtBool(x.Read),
				"Write", fmtBool(x.Write), "Status", accountStatusText(x), "Own status", x.Status,
				"Expires", fmtTimePtr(x.ExpiresAt), "Allowed IPs", ips, "Last login", fmtTimePtr(x.LastLoginAt),
				"Created", fmtTime(x.CreatedAt), "Updated", fmtTime(x.UpdatedAt))
		})
	})
	return c
}

func (a *app) accountPasswd() *cobra.Command {
	return a.passwdCommand("account", "Change an FTP account's password (generated and printed once when --password is omitted); closes its sessions",
		func(ctx context.Context, svc *hosting.Service, login, pw string) (string, error) {
			return svc.SetAccountPassword(ctx, login, pw)
		})
}

// updateAccount applies u to an account and prints the result.
func (a *app) updateAccount(cmd *cobra.Command, login string, u hosting.AccountUpdate, what func(*hosting.Account) string) error {
	ctx, svc, done, err := a.open(cmd)
	if err != nil {
		return err
	}
	defer done()
	x, err := svc.UpdateAccount(ctx, login, u)
	if err != nil {
		return err
	}
	return a.print(newAccountView(x), func(w io.Writer) {
		fmt.Fprintf(w, "account %s: %s\n", x.Login, what(x))
	})
}

func (a *app) accountHome() *cobra.Command {
	var create bool
	c := &cobra.Command{
		Use:   "home LOGIN PATH",
		Short: "Change an FTP account's home folder (relative to the site root); closes its sessions",
		Args:  exactArgs("LOGIN", "PATH"),
	}
	c.Flags().BoolVar(&create, "create-missing", false, "create the folder when it does not exist")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		return a.updateAccount(cmd, args[0], hosting.AccountUpdate{Home: &args[1], CreateMissing: create},
			func(x *hosting.Account) string { return "home is " + x.Home })
	})
	return c
}

func (a *app) accountQuota() *cobra.Command {
	c := &cobra.Command{
		Use:   "quota LOGIN BYTES",
		Short: "Change an FTP account's quota (e.g. 1073741824, 500M, 10G, unlimited)",
		Args:  exactArgs("LOGIN", "BYTES"),
	}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		q, err := parseBytes(args[1])
		if err != nil {
			return usageErr(cmd, "quota", "%v", err)
		}
		return a.updateAccount(cmd, args[0], hosting.AccountUpdate{QuotaBytes: &q},
			func(x *hosting.Account) string { return "quota is " + fmtBytes(x.QuotaBytes) })
	})
	return c
}

func (a *app) accountPerms() *cobra.Command {
	var read, write bool
	c := &cobra.Command{
		Use:   "perms LOGIN --read=BOOL --write=BOOL",
		Short: "Change what an FTP account may do (read=false,write=true makes a drop box); closes its sessions",
		Args:  exactArgs("LOGIN"),
	}
	c.Flags().BoolVar(&read, "read", true, "may list and download")
	c.Flags().BoolVar(&write, "write", true, "may upload, create folders, rename and delete")
	c.MarkFlagsOneRequired("read", "write")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		var u hosting.AccountUpdate
		if cmd.Flags().Changed("read") {
			u.Read = &read
		}
		if cmd.Flags().Changed("write") {
			u.Write = &write
		}
		return a.updateAccount(cmd, args[0], u, func(x *hosting.Account) string {
			return fmt.Sprintf("read %s, write %s", fmtBool(x.Read), fmtBool(x.Write))
		})
	})
	return c
}

func (a *app) accountSet() *cobra.Command {
	var ips []string
	var anyIP bool
	expires := expiresOpt()
	c := &cobra.Command{
		Use:   "set LOGIN",
		Short: "Change an FTP account's expiry or allowed addresses",
		Args:  exactArgs("LOGIN"),
	}
	c.Flags().Var(expires, "expires", "no login from this time on: RFC 3339, YYYY-MM-DD (UTC), or never")
	c.Flags().StringArrayVar(&ips, "allowed-ip", nil, "address or CIDR it may log in from (repeatable; replaces the list)")
	c.Flags().BoolVar(&anyIP, "any-ip", false, "allow logins from any address (clears the list)")
	c.MarkFlagsMutuallyExclusive("allowed-ip", "any-ip")
	c.MarkFlagsOneRequired("expires", "allowed-ip", "any-ip")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		var u hosting.AccountUpdate
		if expires.v != nil {
			u.ExpiresAt = expires.v
		}
		if cmd.Flags().Changed("allowed-ip") {
			u.AllowedIPs = &ips
		}
		if anyIP {
			none := []string{}
			u.AllowedIPs = &none
		}
		return a.updateAccount(cmd, args[0], u, func(x *hosting.Account) string {
			s := "expires " + fmtTimePtr(x.ExpiresAt)
			if x.ExpiresAt == nil {
				s = "never expires"
			}
			if len(x.AllowedIPs) == 0 {
				return s + ", any address"
			}
			return s + ", from " + strings.Join(x.AllowedIPs, ", ")
		})
	})
	return c
}

func (a *app) accountStatus(name string, st hosting.Status) *cobra.Command {
	short := "Suspend an FTP account; its sessions are closed"
	if st == hosting.StatusActive {
		short = "Unsuspend an FTP account (it works again unless its site or customer is suspended)"
	}
	c := &cobra.Command{Use: name + " LOGIN", Short: short, Args: exactArgs("LOGIN")}
	c.RunE = a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
		x, err := svc.SetAccountStatus(ctx, args[0], st)
		if err != nil {
			return err
		}
		return a.print(newAccountView(x), func(w io.Writer) {
			fmt.Fprintf(w, "account %s is %s\n", x.Login, accountStatusText(x))
		})
	})
	return c
}

func (a *app) accountDel() *cobra.Command {
	c := &cobra.Command{
		Use:   "del LOGIN",
		Short: "Delete an FTP account (not a site's main account); its files stay, its sessions are closed",
		Args:  exactArgs("LOGIN"),
	}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.DeleteAccount(ctx, args[0]); err != nil {
			return err
		}
		return a.print(deleted{Deleted: args[0], Type: "account"}, func(w io.Writer) {
			fmt.Fprintf(w, "account %s deleted\n", args[0])
		})
	})
	return c
}
