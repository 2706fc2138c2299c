// Package ftpd is ftpanel's FTP server: an adapter from
// github.com/fclairamb/ftpserverlib to hosting.Service.
//
// Every rule about accounts lives in the Service; this package translates
// FTP into Service calls and enforces, per session, what the Service
// decided at login:
//
//   - Confinement: each session sees the account's home through an os.Root
//     (opened on the site root, then on the home inside it), so the kernel
//     resolves every path and symlink, including symlinks created after the
//     login; nothing outside the home is read, listed or written. Listings
//     hide the links that lead outside (fs.go).
//   - Permissions: read = list and download; write = upload, mkdir,
//     rename, delete, SITE CHMOD, MFMT. Checked on every mutating call.
//   - Quota: one usage counter per account, shared by its sessions;
//     uploads reserve bytes from it chunk by chunk while still splicing
//     from the socket; an upload that does not fit fails with 552 and is
//     undone (quota.go).
//   - Ownership and modes: created files are 0666 &^ umask, folders
//     0777 &^ umask, owned by the site's system user when the process may
//     chown (root, or CAP_CHOWN).
//   - Live sessions: kept in our own map, written to the Service's registry
//     in batches, and closed within SyncInterval of a kill request
//     (sessions.go).
//   - Defender: failed logins per address within a window lead to a ban
//     (growing for repeat offenders); banned addresses are refused at
//     connect with a 421 reply; limits on clients in all, per address and
//     per account (defender.go, server.go).
//
// Replies never carry OS paths or driver errors (errors.go). Logs (log/slog)
// record logins without passwords, transfers with bytes and duration, and
// bans.
package ftpd
