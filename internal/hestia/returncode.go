package hestia

import (
	"net/http"

	"ftpanel/internal/hosting"
)

// HestiaCP's exit codes (func/main.sh; 21 comes from web/inc/helpers.php).
// Only the ones this package returns are named.
const (
	exitOK        = 0
	exitArgs      = 1  // E_ARGS: not enough arguments
	exitInvalid   = 2  // E_INVALID: argument or object not valid
	exitNotExist  = 3  // E_NOTEXIST
	exitExists    = 4  // E_EXISTS
	exitSuspended = 5  // E_SUSPENDED
	exitLimit     = 8  // E_LIMIT
	exitPassword  = 9  // E_PASSWORD: wrong or invalid password or key
	exitForbidden = 10 // E_FORBIDEN (sic)
	exitDB        = 17 // E_DB: ftpanel's internal errors (the store or the disk failed)
	exitNoData    = 405
)

// exitCode is the one mapping of ftpanel's error codes to HestiaCP exit
// codes. Commands add HestiaCP's own message texts for the codes whose
// wording HestiaCP fixes (see commands.go); the code always comes from here.
func exitCode(c hosting.Code) int {
	switch c {
	case "":
		return exitOK
	case hosting.CodeInvalidInput, hosting.CodeInvalidLogin, hosting.CodeWeakPassword,
		hosting.CodeInvalidHome, hosting.CodeHomeOutsideSite, hosting.CodeHomeNotFound,
		hosting.CodeTopLevelDirForbidden:
		return exitInvalid
	case hosting.CodeNotFound, hosting.CodeMainAccount:
		// Main accounts are not HestiaCP FTP accounts: they "don't exist" here.
		return exitNotExist
	case hosting.CodeLoginTaken, hosting.CodeReservedLogin, hosting.CodeConflict:
		// A reserved name is an existing system account on a HestiaCP server.
		return exitExists
	case hosting.CodeSuspended:
		return exitSuspended
	case hosting.CodeLimitExceeded:
		return exitLimit
	case hosting.CodeUnauthorized:
		return exitPassword
	case hosting.CodeForbidden:
		return exitForbidden
	default: // hosting.CodeInternal and anything unknown
		return exitDB
	}
}

// httpStatus is HestiaCP's exit_code_to_http_code (web/inc/helpers.php):
// codes ≥ 100 are used as the status itself.
func httpStatus(exit int) int {
	switch {
	case exit >= 100:
		return exit
	case exit == exitOK:
		return http.StatusOK
	case exit == exitInvalid:
		return http.StatusUnprocessableEntity
	case exit == exitPassword, exit == exitSuspended, exit == 6, exit == exitForbidden, exit == 21:
		return http.StatusUnauthorized
	default: // 1 E_ARGS, 3, 4, 7, 8, 11 E_DISABLED, 12-20
		return http.StatusBadRequest
	}
}
