package cli

import (
	"context"

	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) customerCommand() *cobra.Command {
	return noun("customer", "Manage customers (site owners with a panel login)",
		a.customerAdd(), a.customerList(), a.customerShow(), a.customerSet(), a.customerPasswd(),
		a.customerStatus("suspend", hosting.StatusSuspended), a.customerStatus("unsuspend", hosting.StatusActive),
		a.customerDel(), a.twoFactorCommand(hosting.ActorCustomer, "customer"))
}

// customerView is a customer as shown by show, with its sites.
type customerView struct {
	*hosting.Customer
	Sites []string `json:"sites"`
}

func (a *app) customerAdd() *cobra.Command {
	var in hosting.CustomerCreate
	var pw string
	limit := limitOpt()
	c := &cobra.Command{
		Use:   "add LOGIN",
		Short: "Add a customer; the panel password is generated and printed once when --password is omitted",
		Args:  exactArgs("LOGIN"),
	}
	c.Flags().StringVar(&in.Name, "name", "", "display name")
	c.Flags().StringVar(&in.Email, "email", "", "e-mail address")
	c.Flags().StringVar(&pw, "password", "", `panel password ("-" reads it from stdin)`)
	c.Flags().Var(limit, "max-ftp-accounts", "additional FTP accounts over all its sites (-1 or unlimited; default unlimited)")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		var err error
		if in.Password, err = a.optSecret(cmd, "password", pw); err != nil {
			return err
		}
		in.Login, in.MaxFTPAccounts = args[0], limit.v
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		cu, gen, err := svc.CreateCustomer(ctx, in)
		if err != nil {
			return err
		}
		out := struct {
			Customer *hosting.Customer `json:"customer"`
			Password string            `json:"password,omitempty"`
		}{cu, gen}
		return a.print(out, func(w io.Writer) {
			fmt.Fprintf(w, "customer %s created\n", cu.Login)
			if gen != "" {
				fmt.Fprintf(w, "panel password: %s  %s\n", gen, shownOnce)
			}
		})
	})
	return c
}

func (a *app) customerList() *cobra.Command {
	var f hosting.CustomerFilter
	var status string
	c := &cobra.Command{Use: "list", Short: "List customers", Args: exactArgs()}
	c.Flags().StringVar(&f.Query, "query", "", "only customers whose login, name or e-mail contains this")
	c.Flags().StringVar(&status, "status", "", "only active or suspended customers")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		if err := statusFilter(cmd, status, &f.Status); err != nil {
			return err
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		cs, err := svc.Customers(ctx, f)
		if err != nil {
			return err
		}
		return a.print(list(cs), func(w io.Writer) {
			row(w, "LOGIN", "NAME", "EMAIL", "STATUS", "MAX ACCOUNTS", "CREATED")
			for _, cu := range cs {
				row(w, cu.Login, orDash(cu.Name), orDash(cu.Email), cu.Status, fmtLimit(cu.MaxFTPAccounts), fmtTime(cu.CreatedAt))
			}
		})
	})
	return c
}

// statusFilter parses a --status flag into a filter field.
func statusFilter(cmd *cobra.Command, s string, dst **hosting.Status) error {
	if s == "" {
		return nil
	}
	st := hosting.Status(s)
	if !st.Valid() {
		return usageErr(cmd, "status", "--status %q must be active or suspended", s)
	}
	*dst = &st
	return nil
}

func (a *app) customerShow() *cobra.Command {
	c := &cobra.Command{Use: "show LOGIN", Short: "Show a customer and its sites", Args: exactArgs("LOGIN")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		cu, err := svc.Customer(ctx, args[0])
		if err != nil {
			return err
		}
		sites, err := svc.Sites(ctx, hosting.SiteFilter{CustomerID: &cu.ID})
		if err != nil {
			return err
		}
		v := customerView{Customer: cu, Sites: []string{}}
		for _, s := range sites {
			v.Sites = append(v.Sites, s.Name)
		}
		return a.print(v, func(w io.Writer) {
			names := make([]string, len(sites))
			for i, s := range sites {
				names[i] = hosting.DisplayDomain(s.Name)
			}
			kv(w, "Login", cu.Login, "Name", orDash(cu.Name), "E-mail", orDash(cu.Email), "Status", cu.Status,
				"Max FTP accounts", fmtLimit(cu.MaxFTPAccounts), "Sites", orDash(strings.Join(names, ", ")),
				"Created", fmtTime(cu.CreatedAt), "Updated", fmtTime(cu.UpdatedAt))
		})
	})
	return c
}

func (a *app) customerSet() *cobra.Command {
	var name, email string
	limit := limitOpt()
	c := &cobra.Command{Use: "set LOGIN", Short: "Change a customer's name, e-mail or limit", Args: exactArgs("LOGIN")}
	c.Flags().StringVar(&name, "name", "", "display name")
	c.Flags().StringVar(&email, "email", "", `e-mail address ("" clears it)`)
	c.Flags().Var(limit, "max-ftp-accounts", "additional FTP accounts over all its sites (-1 or unlimited)")
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		var u hosting.CustomerUpdate
		if cmd.Flags().Changed("name") {
			u.Name = &name
		}
		if cmd.Flags().Changed("email") {
			u.Email = &email
		}
		u.MaxFTPAccounts = limit.v
		if u.Name == nil && u.Email == nil && u.MaxFTPAccounts == nil {
			return usageErr(cmd, "", "nothing to change: give --name, --email or --max-ftp-accounts")
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		cu, err := svc.UpdateCustomer(ctx, args[0], u)
		if err != nil {
			return err
		}
		return a.print(cu, func(w io.Writer) { fmt.Fprintf(w, "customer %s updated\n", cu.Login) })
	})
	return c
}

func (a *app) customerPasswd() *cobra.Command {
	return a.passwdCommand("customer", "Change a customer's panel password (generated and printed once when --password is omitted)",
		func(ctx context.Context, svc *hosting.Service, login, pw string) (string, error) {
			return svc.SetCustomerPassword(ctx, login, pw)
		})
}

// printPasswd reports a password change and the generated password.
func (a *app) printPasswd(kind, login, gen string) error {
	return a.print(credentials{Login: login, Password: gen}, func(w io.Writer) {
		fmt.Fprintf(w, "password of %s %s changed\n", kind, login)
		if gen != "" {
			fmt.Fprintf(w, "password: %s  %s\n", gen, shownOnce)
		}
	})
}

func (a *app) customerStatus(name string, st hosting.Status) *cobra.Command {
	short := "Suspend a customer: all its sites' FTP accounts stop working and their sessions are closed"
	if st == hosting.StatusActive {
		short = "Unsuspend a customer: each account gets back its own status"
	}
	c := &cobra.Command{Use: name + " LOGIN", Short: short, Args: exactArgs("LOGIN")}
	c.RunE = a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
		cu, err := svc.SetCustomerStatus(ctx, args[0], st)
		if err != nil {
			return err
		}
		return a.print(cu, func(w io.Writer) { fmt.Fprintf(w, "customer %s is %s\n", cu.Login, cu.Status) })
	})
	return c
}

func (a *app) customerDel() *cobra.Command {
	c := &cobra.Command{Use: "del LOGIN", Short: "Delete a customer that has no sites", Args: exactArgs("LOGIN")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.DeleteCustomer(ctx, args[0]); err != nil {
			return err
		}
		return a.print(deleted{Deleted: args[0], Type: "customer"}, func(w io.Writer) {
			fmt.Fprintf(w, "customer %s deleted\n", args[0])
		})
	})
	return c
}
