package cli

import (
	"context"

	"fmt"
	"io"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) adminCommand() *cobra.Command {
	return noun("admin", "Manage panel administrators",
		a.adminAdd(), a.adminList(), a.adminPasswd(), a.adminDel(), a.twoFactorCommand(hosting.ActorAdmin, "administrator"))
}

func (a *app) adminAdd() *cobra.Command {
	var pw string
	c := &cobra.Command{
		Use:   "add LOGIN",
		Short: "Add an administrator; the password is generated and printed once when --password is omitted",
		Args:  exactArgs("LOGIN"),
	}
	c.Flags().StringVar(&pw, "password", "", `password ("-" reads it from stdin)`)
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		p, err := a.optSecret(cmd, "password", pw)
		if err != nil {
			return err
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		ad, gen, err := svc.CreateAdmin(ctx, args[0], p)
		if err != nil {
			return err
		}
		out := struct {
			Admin    *hosting.Admin `json:"admin"`
			Password string         `json:"password,omitempty"`
		}{ad, gen}
		return a.print(out, func(w io.Writer) {
			fmt.Fprintf(w, "administrator %s created\n", ad.Login)
			if gen != "" {
				fmt.Fprintf(w, "password: %s  %s\n", gen, shownOnce)
			}
		})
	})
	return c
}

func (a *app) adminList() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List administrators", Args: exactArgs()}
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		as, err := svc.Admins(ctx)
		if err != nil {
			return err
		}
		return a.print(list(as), func(w io.Writer) {
			row(w, "LOGIN", "CREATED")
			for _, ad := range as {
				row(w, ad.Login, fmtTime(ad.CreatedAt))
			}
		})
	})
	return c
}

func (a *app) adminPasswd() *cobra.Command {
	return a.passwdCommand("administrator", "Change an administrator's password (generated and printed once when --password is omitted)",
		func(ctx context.Context, svc *hosting.Service, login, pw string) (string, error) {
			return svc.SetAdminPassword(ctx, login, pw)
		})
}

func (a *app) adminDel() *cobra.Command {
	c := &cobra.Command{Use: "del LOGIN", Short: "Delete an administrator (not the last one)", Args: exactArgs("LOGIN")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.DeleteAdmin(ctx, args[0]); err != nil {
			return err
		}
		return a.print(deleted{Deleted: args[0], Type: "admin"}, func(w io.Writer) {
			fmt.Fprintf(w, "administrator %s deleted\n", args[0])
		})
	})
	return c
}
