package ftpd

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	ftpserver "github.com/fclairamb/ftpserverlib"
)

// clientError is an error whose text is safe to send to an FTP client: a
// fixed message, never an OS path or a driver detail. It unwraps to the
// io/fs sentinel it stands for, so errors.Is(err, fs.ErrNotExist) and the
// like keep working inside ftpserverlib.
type clientError struct {
	msg  string
	kind error
}

func (e *clientError) Error() string { return e.msg }
func (e *clientError) Unwrap() error { return e.kind }

// The client-facing file errors. They are values, never modified.
var (
	errNotFound    = &clientError{"no such file or directory", fs.ErrNotExist}
	errPermission  = &clientError{"permission denied", fs.ErrPermission}
	errExists      = &clientError{"file exists", fs.ErrExist}
	errNotEmpty    = &clientError{"directory not empty", nil}
	errNotDir      = &clientError{"not a directory", nil}
	errIsDir       = &clientError{"is a directory", nil}
	errNotFile     = &clientError{"not a regular file", nil}
	errNameTooLong = &clientError{"file name too long", nil}
	errInvalidName = &clientError{"invalid file name", fs.ErrInvalid}
	errUnsupported = &clientError{"operation not supported", nil}
	errFailed      = &clientError{"operation failed", nil}
	errClosed      = &clientError{"file already closed", fs.ErrClosed}
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

// mapError turns an error from os/os.Root into one of the client errors
// above. The quota error passes through: ftpserverlib maps it to 552.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var ce *clientError
	if errors.As(err, &ce) {
		return ce
	}
	var errno syscall.Errno
	switch {
	case errors.Is(err, ftpserver.ErrStorageExceeded):
		return errNoSpace
	case errors.As(err, &errno):
		switch errno {
		case syscall.ENOENT:
			return errNotFound
		case syscall.EACCES, syscall.EPERM, syscall.ELOOP, syscall.EROFS:
			return errPermission
		case syscall.EEXIST:
			return errExists
		case syscall.ENOTEMPTY:
			return errNotEmpty
		case syscall.ENOTDIR:
			return errNotDir
		case syscall.EISDIR:
			return errIsDir
		case syscall.ENAMETOOLONG:
			return errNameTooLong
		case syscall.EINVAL:
			return errInvalidName
		case syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG:
			return errNoSpace
		case syscall.EXDEV, syscall.ENOTSUP:
			return errUnsupported
		}
	case errors.Is(err, fs.ErrNotExist):
		return errNotFound
	case errors.Is(err, fs.ErrPermission):
		return errPermission
	case errors.Is(err, fs.ErrExist):
		return errExists
	case errors.Is(err, fs.ErrClosed):
		return errClosed
	case strings.Contains(err.Error(), "escapes"):
		// os.Root's "path escapes from parent" (a ".." or a symlink
		// leading outside the home) has no exported sentinel.
		return errPermission
	}
	return errFailed
}
