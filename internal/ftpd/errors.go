package ftpd

import (
	"errors"

	ftpserver "github.com/fclairamb/ftpserverlib"

	"ftpanel/internal/homefs"
)

// The client-facing file errors: homefs's fixed texts, safe to send to an
// FTP client. The quota error is ftpserverlib's, which it answers with 552.
var (
	errPermission  = homefs.ErrPermission
	errNotDir      = homefs.ErrNotDir
	errIsDir       = homefs.ErrIsDir
	errNotFile     = homefs.ErrNotFile
	errUnsupported = homefs.ErrUnsupported
	errNoSpace     = ftpserver.ErrStorageExceeded
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errLoginFailed = errors.New("Login incorrect.")
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errSuspended = errors.New("Account suspended.")
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errNotAllowedIP = errors.New("Login not allowed from your address.")
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errTooMany = errors.New("Too many sessions for this account.")
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errBanned = errors.New("Too many failed logins, try again later.")
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errUnavailable = errors.New("Login failed, try again later.")
	//lint:ignore ST1005 FTP reply text, shown to clients as is
	errLoggedIn = errors.New("Already logged in.")
	errNoTLS    = errors.New("TLS is not enabled on this server")
)

// mapError turns an error from the file layer (or os) into a client
// error: homefs's fixed texts, the quota error as ftpserverlib's 552.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ftpserver.ErrStorageExceeded) {
		return errNoSpace
	}
	err = homefs.MapError(err)
	if err == homefs.ErrNoSpace {
		return errNoSpace
	}
	return err
}
