package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func (a *app) banCommand() *cobra.Command {
	return noun("ban", "List and lift the FTP defender's address bans", a.banList(), a.banDel())
}

func (a *app) banList() *cobra.Command {
	c := &cobra.Command{Use: "list", Short: "List banned addresses", Args: exactArgs()}
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		bs, err := svc.Bans(ctx)
		if err != nil {
			return err
		}
		return a.print(list(bs), func(w io.Writer) {
			row(w, "ADDRESS", "UNTIL", "STRIKES", "REASON", "NODE")
			for _, b := range bs {
				row(w, b.Addr, fmtTime(b.Until), b.Strikes, orDash(b.Reason), orDash(b.Node))
			}
		})
	})
	return c
}

func (a *app) banDel() *cobra.Command {
	c := &cobra.Command{Use: "del ADDR", Short: "Lift the ban of an address", Args: exactArgs("ADDR")}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.DeleteBan(ctx, args[0]); err != nil {
			return err
		}
		return a.print(deleted{Deleted: args[0], Type: "ban"}, func(w io.Writer) {
			fmt.Fprintf(w, "ban of %s lifted\n", args[0])
		})
	})
	return c
}
