// Package sftpd is ftpanel's SFTP server: SSH (golang.org/x/crypto/ssh)
// with only the "sftp" subsystem (github.com/pkg/sftp's request server),
// for the same virtual accounts as the FTP server, over the same
// hosting.Service and the same file layer (package homefs).
//
// Logins are the account's password (hosting.Service.AuthenticateFTP:
// same hashes, login cache, expiry, allowed addresses) or one of the
// account's SSH public keys (hosting.Service.AuthenticateSSHKey). Failed
// logins feed the same bans as FTP. Shell, exec (so scp's legacy mode),
// port forwarding, agent and X11 forwarding are refused. Files go through
// homefs: the home is "/", permissions are checked per operation, the
// quota is enforced on every write, symlinks cannot be created and
// readlink shows in-home targets only. Sessions are written to the store's
// registry (protocol "sftp") and closed on kill requests, suspension or a
// password change within two sync intervals.
package sftpd
