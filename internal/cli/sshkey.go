package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"ftpanel/internal/hosting"
)

// accountKey is "account key add|list|del": the SSH public keys that log
// in to an account over SFTP.
func (a *app) accountKey() *cobra.Command {
	return noun("key", "Manage an account's SSH public keys (SFTP logins)",
		a.accountKeyAdd(), a.accountKeyList(), a.accountKeyDel())
}

func (a *app) accountKeyAdd() *cobra.Command {
	var key, file string
	c := &cobra.Command{
		Use:   "add LOGIN",
		Short: `Add an SSH public key to an account (--key "ssh-ed25519 AAAA... comment", --file id_ed25519.pub, or stdin)`,
		Args:  exactArgs("LOGIN"),
	}
	c.Flags().StringVar(&key, "key", "", "the public key, in authorized_keys form")
	c.Flags().StringVar(&file, "file", "", `a file holding the public key ("-" = stdin)`)
	c.RunE = verb(func(cmd *cobra.Command, args []string) error {
		if key != "" && file != "" {
			return usageErr(cmd, "key", "give --key or --file, not both")
		}
		if key == "" {
			var b []byte
			var err error
			if file == "" || file == "-" {
				b, err = io.ReadAll(io.LimitReader(a.stdin, 64<<10))
			} else {
				b, err = os.ReadFile(file)
			}
			if err != nil {
				return fmt.Errorf("cli: read the public key: %w", err)
			}
			key = strings.TrimSpace(string(b))
		}
		return a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
			k, err := svc.AddSSHKey(ctx, args[0], key)
			if err != nil {
				return err
			}
			return a.print(k, func(w io.Writer) {
				fmt.Fprintf(w, "key %s (%s) added to %s\n", k.Fingerprint, k.Type, k.AccountLogin)
			})
		})(cmd, args)
	})
	return c
}

func (a *app) accountKeyList() *cobra.Command {
	c := &cobra.Command{Use: "list LOGIN", Short: "List an account's SSH public keys with their fingerprints", Args: exactArgs("LOGIN")}
	c.RunE = a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
		keys, err := svc.SSHKeys(ctx, args[0])
		if err != nil {
			return err
		}
		return a.print(keys, func(w io.Writer) {
			row(w, "ID", "TYPE", "FINGERPRINT", "COMMENT", "ADDED")
			for _, k := range keys {
				row(w, k.ID, k.Type, k.Fingerprint, orDash(k.Comment), fmtTime(k.CreatedAt))
			}
		})
	})
	return c
}

func (a *app) accountKeyDel() *cobra.Command {
	c := &cobra.Command{
		Use:   "del LOGIN FINGERPRINT|ID",
		Short: "Remove an SSH public key from an account (by its SHA256 fingerprint or ID)",
		Args:  exactArgs("LOGIN", "FINGERPRINT"),
	}
	c.RunE = a.withService(func(ctx context.Context, svc *hosting.Service, args []string) error {
		if err := svc.DeleteSSHKey(ctx, args[0], args[1]); err != nil {
			return err
		}
		return a.print(deleted{Deleted: args[1], Type: "ssh_key"}, func(w io.Writer) {
			fmt.Fprintf(w, "key %s removed from %s\n", args[1], args[0])
		})
	})
	return c
}
