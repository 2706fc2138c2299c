package homefs

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
)

// Error is a file error whose text is safe to show to any client: a fixed
// sentence, never an OS path or a driver detail. It unwraps to the io/fs
// sentinel it stands for, so errors.Is(err, fs.ErrNotExist) and the like
// keep working in protocol libraries.
type Error struct {
	msg  string
	kind error
}

// Error returns the fixed text.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the io/fs sentinel, or nil.
func (e *Error) Unwrap() error { return e.kind }

// The file errors every protocol maps to its own replies. They are
// values, never modified.
var (
	ErrNotFound    = &Error{"no such file or directory", fs.ErrNotExist}
	ErrPermission  = &Error{"permission denied", fs.ErrPermission}
	ErrExists      = &Error{"file exists", fs.ErrExist}
	ErrNotEmpty    = &Error{"directory not empty", nil}
	ErrNotDir      = &Error{"not a directory", nil}
	ErrIsDir       = &Error{"is a directory", nil}
	ErrNotFile     = &Error{"not a regular file", nil}
	ErrNameTooLong = &Error{"file name too long", nil}
	ErrInvalidName = &Error{"invalid file name", fs.ErrInvalid}
	ErrUnsupported = &Error{"operation not supported", nil}
	ErrFailed      = &Error{"operation failed", nil}
	ErrClosed      = &Error{"file already closed", fs.ErrClosed}
	ErrNoSpace     = &Error{"quota exceeded", nil}
)

// MapError turns an error from os or os.Root into one of the errors above
// (nil stays nil; an *Error passes through).
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		switch errno {
		case syscall.ENOENT:
			return ErrNotFound
		case syscall.EACCES, syscall.EPERM, syscall.ELOOP, syscall.EROFS:
			return ErrPermission
		case syscall.EEXIST:
			return ErrExists
		case syscall.ENOTEMPTY:
			return ErrNotEmpty
		case syscall.ENOTDIR:
			return ErrNotDir
		case syscall.EISDIR:
			return ErrIsDir
		case syscall.ENAMETOOLONG:
			return ErrNameTooLong
		case syscall.EINVAL:
			return ErrInvalidName
		case syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG:
			return ErrNoSpace
		case syscall.EXDEV, syscall.ENOTSUP:
			return ErrUnsupported
		}
	case errors.Is(err, fs.ErrNotExist):
		return ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		return ErrPermission
	case errors.Is(err, fs.ErrExist):
		return ErrExists
	case errors.Is(err, fs.ErrClosed):
		return ErrClosed
	case strings.Contains(err.Error(), "escapes"):
		// os.Root's "path escapes from parent" (a ".." or a symlink
		// leading outside the home) has no exported sentinel.
		return ErrPermission
	}
	return ErrFailed
}
