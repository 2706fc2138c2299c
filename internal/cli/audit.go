package cli

import (
	"io"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) auditCommand() *cobra.Command {
	return noun("audit", "Read the audit trail: who changed what, when, from where", a.auditList())
}

func (a *app) auditList() *cobra.Command {
	var f hosting.AuditFilter
	var customer string
	c := &cobra.Command{Use: "list", Short: "List audit events, newest first", Args: exactArgs()}
	c.Flags().IntVar(&f.Limit, "limit", 50, "at most this many events")
	c.Flags().StringVar(&f.ObjectType, "type", "", "only events about this kind of object (customer, site, account, admin, token, session, ban)")
	c.Flags().StringVar(&f.ObjectName, "name", "", "only events about the object with this name")
	c.Flags().StringVar(&f.Action, "action", "", "only this action, e.g. account.create")
	c.Flags().StringVar(&customer, "customer", "", "only events about this customer's objects")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		if f.Limit < 1 {
			return usageErr(cmd, "limit", "--limit must be at least 1")
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
		evs, err := svc.AuditEvents(ctx, f)
		if err != nil {
			return err
		}
		return a.print(list(evs), func(w io.Writer) {
			row(w, "TIME", "ACTOR", "VIA", "FROM", "ACTION", "OBJECT", "DETAIL")
			for _, e := range evs {
				row(w, fmtTime(e.Time), string(e.ActorKind)+":"+e.Actor, e.Via, orDash(e.RemoteAddr), e.Action,
					e.ObjectName, orDash(e.Detail))
			}
		})
	})
	return c
}
