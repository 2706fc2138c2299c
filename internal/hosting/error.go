package hosting

import (
	"errors"
	"fmt"
)

// Code is a stable error code, the same on every interface (DESIGN §3).
type Code string

// The error codes of DESIGN §3.
const (
	CodeInvalidInput         Code = "invalid_input"
	CodeInvalidLogin         Code = "invalid_login"
	CodeReservedLogin        Code = "reserved_login"
	CodeLoginTaken           Code = "login_taken"
	CodeWeakPassword         Code = "weak_password"
	CodeInvalidHome          Code = "invalid_home"
	CodeHomeOutsideSite      Code = "home_outside_site"
	CodeHomeNotFound         Code = "home_not_found"
	CodeTopLevelDirForbidden Code = "top_level_dir_forbidden"
	CodeLimitExceeded        Code = "limit_exceeded"
	CodeNotFound             Code = "not_found"
	CodeMainAccount          Code = "main_account"
	CodeSuspended            Code = "suspended"
	CodeUnauthorized         Code = "unauthorized"
	CodeForbidden            Code = "forbidden"
	CodeConflict             Code = "conflict"
	CodeInternal             Code = "internal"
)

// Codes lists every code, in the order of DESIGN §3.
func Codes() []Code {
	return []Code{CodeInvalidInput, CodeInvalidLogin, CodeReservedLogin, CodeLoginTaken,
		CodeWeakPassword, CodeInvalidHome, CodeHomeOutsideSite, CodeHomeNotFound,
		CodeTopLevelDirForbidden, CodeLimitExceeded, CodeNotFound, CodeMainAccount,
		CodeSuspended, CodeUnauthorized, CodeForbidden, CodeConflict, CodeInternal}
}

// Error is a domain error: a stable Code, a message safe to show to the
// caller, the field it concerns (if any), the operation, and the cause.
type Error struct {
	Code    Code
	Message string // safe to show to users; never contains a password
	Field   string // input field the error concerns, e.g. "login", "home"
	Op      string // operation, e.g. "hosting.CreateAccount"
	Err     error  // underlying cause, not shown to users
}

// Error implements error.
func (e *Error) Error() string {
	var s string
	if e.Op != "" {
		s = e.Op + ": "
	}
	s += string(e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error with code, field and a formatted message.
func FieldErrorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and CodeInternal for any other error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-facing message of err: the Message of the
// first *Error in its chain, or a generic text for internal errors, so that
// driver or OS details never reach a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Message != "" {
			return e.Message
		}
		return string(e.Code)
	}
	if err == nil {
		return ""
	}
	return "internal error"
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// op wraps err with an operation name, keeping its code.
func op(name string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e.Op == "" {
		c := *e
		c.Op = name
		return &c
	}
	return fmt.Errorf("%s: %w", name, err)
}
