package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

// twoFactorCommand is `ftpanel admin|customer 2fa`: reset the two-factor
// sign-in of a user who lost the phone and the recovery codes.
func (a *app) twoFactorCommand(kind hosting.ActorKind, who string) *cobra.Command {
	reset := &cobra.Command{
		Use:   "reset LOGIN",
		Short: "Turn off the two-factor sign-in of " + who + " LOGIN (lost phone and recovery codes); the password stays",
		Args:  exactArgs("LOGIN"),
	}
	reset.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.ResetTwoFactor(ctx, kind, args[0]); err != nil {
			return err
		}
		out := struct {
			Login     string `json:"login"`
			TwoFactor bool   `json:"two_factor"`
		}{args[0], false}
		return a.print(out, func(w io.Writer) {
			fmt.Fprintf(w, "two-factor sign-in of %s %s turned off; they sign in with the password and can set it up again\n", who, args[0])
		})
	})
	return noun("2fa", "Two-factor sign-in of "+who+"s", reset)
}
