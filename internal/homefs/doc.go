// Package homefs is the file layer under every way ftpanel touches a
// customer's files: the FTP server, the SFTP server and the web file
// manager all work through an FS, and none of them touches a user's path
// any other way.
//
// An FS is one session's view of a home folder (an account's home, or a
// site root), opened as an os.Root through the site root, so that the
// kernel resolves every path and symlink inside it: "..", absolute
// symlinks and links leading out are refused, listings hide them, and
// Readlink shows only targets inside the home. Read and write permissions
// are checked on every operation; created files and folders get the
// configured modes (0644/0755 with umask 022) and, when the process may
// (CAP_CHOWN), the site's system user as owner.
//
// Quota: every write reserves its growth from the account's Usage, one
// pool per account on the node (Usages), shared by all sessions of every
// protocol, so that concurrent uploads, SFTP writes at offsets and the
// file manager together never pass the quota. An upload the quota stops
// is undone when its file closes.
//
// Errors are the package's sentinels, fixed sentences safe to show any
// client; each protocol maps them to its own replies (FTP 550/552, SSH_FX
// codes, HTTP statuses).
package homefs
