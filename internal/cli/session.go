package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

func (a *app) sessionCommand() *cobra.Command {
	return noun("session", "List and close live FTP sessions (of every node)", a.sessionList(), a.sessionKill())
}

func (a *app) sessionList() *cobra.Command {
	var site, account string
	c := &cobra.Command{Use: "list", Short: "List live FTP sessions", Args: exactArgs()}
	c.Flags().StringVar(&site, "site", "", "only sessions of this site's accounts")
	c.Flags().StringVar(&account, "account", "", "only sessions of this account (login)")
	c.RunE = verb(func(cmd *cobra.Command, _ []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		var f hosting.SessionFilter
		if site != "" {
			s, err := svc.Site(ctx, site)
			if err != nil {
				return err
			}
			f.SiteID = &s.ID
		}
		if account != "" {
			x, err := svc.Account(ctx, account)
			if err != nil {
				return err
			}
			f.AccountID = &x.ID
		}
		ss, err := svc.Sessions(ctx, f)
		if err != nil {
			return err
		}
		return a.print(list(ss), func(w io.Writer) {
			row(w, "ID", "LOGIN", "SITE", "REMOTE", "PROTOCOL", "STARTED", "COMMAND", "IN", "OUT", "NODE")
			for _, s := range ss {
				cmdText := s.Command
				if s.Transfer != "" {
					cmdText = s.Transfer
				}
				row(w, s.ID, s.Login, hosting.DisplayDomain(s.SiteName), s.RemoteAddr, protocolText(s), fmtTime(s.StartedAt),
					orDash(cmdText), fmtBytes(s.BytesIn), fmtBytes(s.BytesOut), s.Node)
			}
		})
	})
	return c
}

func (a *app) sessionKill() *cobra.Command {
	c := &cobra.Command{
		Use:   "kill ID",
		Short: "Close a live FTP session (the node holding it closes it within 2 seconds)",
		Args:  exactArgs("ID"),
	}
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		ctx, svc, done, err := a.open(cmd)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.KillSession(ctx, args[0]); err != nil {
			return err
		}
		out := struct {
			Killed string `json:"killed"`
		}{args[0]}
		return a.print(out, func(w io.Writer) { fmt.Fprintf(w, "session %s: asked to close\n", args[0]) })
	})
	return c
}

// protocolText names a session's protocol: ftp, ftps (FTP with TLS) or sftp.
func protocolText(s *hosting.Session) string {
	if s.Protocol == hosting.ProtocolFTP && s.TLS {
		return hosting.ProtocolFTPS
	}
	return orDash(s.Protocol)
}
