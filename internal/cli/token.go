package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) tokenCommand() *cobra.Command {
	return noun("token", "Manage API tokens and HestiaCP access keys", a.tokenAdd(), a.tokenList(), a.tokenDel())
}

func (a *app) tokenAdd() *cobra.Command {
	var in hosting.TokenCreate
	var hestia bool
	c := &cobra.Command{
		Use:   "add --admin | --customer LOGIN",
		Short: "Issue an API token (with --hestia: a HestiaCP access key and secret key), printed once",
		Args:  exactArgs(),
	}
	c.Flags().BoolVar(&in.Admin, "admin", false, "a token that acts as an administrator")
	c.Flags().StringVar(&in.Customer, "customer", "", "a token that acts as this customer")
	c.Flags().BoolVar(&hestia, "hestia", false, "a HestiaCP access key (ACCESS:SECRET) for the HestiaCP-compatible API")
	c.Flags().StringVar(&in.Description, "description", "", "what the token is for, e.g. billing")
	c.MarkFlagsMutuallyExclusive("admin", "customer")
	c.MarkFlagsOneRequired("admin", "customer")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		if cmd.Flags().Changed("customer") && in.Customer == "" {
			return usageErr(cmd, "customer", "--customer needs a login")
		}
		in.Kind = hosting.TokenAPI
		if hestia {
			in.Kind = hosting.TokenHestia
		}
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		nt, err := svc.CreateToken(ctx, in)
		if err != nil {
			return err
		}
		out := struct {
			Token  *hosting.Token `json:"token"`
			Secret string         `json:"secret"`
		}{nt.Token, nt.Secret}
		return a.print(out, func(w io.Writer) {
			fmt.Fprintf(w, "token %s created for %s\n", nt.Token.Key, tokenOwner(nt.Token))
			if nt.Token.Kind == hosting.TokenHestia {
				fmt.Fprintf(w, "access key: %s\n", nt.Token.Key)
				fmt.Fprintf(w, "secret key: %s  %s\n", nt.Secret, shownOnce)
				fmt.Fprintf(w, "HestiaCP API: hash=%s:%s\n", nt.Token.Key, nt.Secret)
				return
			}
			fmt.Fprintf(w, "bearer token: %s  %s\n", nt.Secret, shownOnce)
			fmt.Fprintf(w, "use: Authorization: Bearer %s\n", nt.Secret)
		})
	})
	return c
}

func tokenOwner(t *hosting.Token) string {
	if t.Admin {
		return "admin"
	}
	return "customer " + t.CustomerLogin
}

func (a *app) tokenList() *cobra.Command {
	var customer string
	c := &cobra.Command{Use: "list", Short: "List API tokens (their secrets are never shown again)", Args: exactArgs()}
	c.Flags().StringVar(&customer, "customer", "", "only this customer's tokens")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		var f hosting.TokenFilter
		if customer != "" {
			cu, err := svc.Customer(ctx, customer)
			if err != nil {
				return err
			}
			f.CustomerID = &cu.ID
		}
		ts, err := svc.Tokens(ctx, f)
		if err != nil {
			return err
		}
		return a.print(list(ts), func(w io.Writer) {
			row(w, "KEY", "KIND", "FOR", "DESCRIPTION", "CREATED", "LAST USED")
			for _, t := range ts {
				row(w, t.Key, t.Kind, tokenOwner(t), orDash(t.Description), fmtTime(t.CreatedAt), fmtTimePtr(t.LastUsedAt))
			}
		})
	})
	return c
}

func (a *app) tokenDel() *cobra.Command {
	c := &cobra.Command{Use: "del KEY", Short: "Revoke a token by its key (as token list shows it)", Args: exactArgs("KEY")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.DeleteToken(ctx, args[0]); err != nil {
			return err
		}
		return a.print(deleted{Deleted: args[0], Type: "token"}, func(w io.Writer) {
			fmt.Fprintf(w, "token %s revoked\n", args[0])
		})
	})
	return c
}
