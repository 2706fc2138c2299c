package plesk

import "ftpanel/internal/hosting"

// Plesk error codes (the reduced list of Plesk ≥ 8, compat/PLESK.md B.4)
// that ftpanel answers.
const (
	errAuthFailed      = 1001  // wrong login or password
	errVersion         = 1005  // protocol version not supported
	errPermission      = 1006  // permission denied
	errExists          = 1007  // inserted data already exists
	errAccountDisabled = 1011  // the customer is suspended
	errNotFound        = 1013  // object does not exist
	errParse           = 1014  // malformed XML, or not what the schema allows
	errInvalidValue    = 1019  // invalid value
	errFailed          = 1023  // operation failed
	errLimit           = 1024  // limit reached
	errBadKey          = 11003 // secret key validation failed
)

// errcode is the one mapping of hosting error codes to Plesk errcodes
// (DESIGN §5): login_taken 1007, limit_exceeded 1024, not_found 1013,
// invalid values 1019, forbidden 1006, everything else 1023.
func errcode(c hosting.Code) int {
	switch c {
	case hosting.CodeLoginTaken:
		return errExists
	case hosting.CodeLimitExceeded:
		return errLimit
	case hosting.CodeNotFound:
		return errNotFound
	case hosting.CodeInvalidInput, hosting.CodeInvalidLogin, hosting.CodeReservedLogin, hosting.CodeWeakPassword,
		hosting.CodeInvalidHome, hosting.CodeHomeOutsideSite, hosting.CodeHomeNotFound,
		hosting.CodeTopLevelDirForbidden:
		return errInvalidValue
	case hosting.CodeForbidden:
		return errPermission
	}
	return errFailed
}
