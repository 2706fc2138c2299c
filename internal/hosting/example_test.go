package hosting_test

import (
	"errors"
	"fmt"

	"ftpanel/internal/hosting"
)

func ExampleError() {
	// The service returns *hosting.Error values, wrapped with the
	// operation; adapters look at the code, never at the text.
	var err error = &hosting.Error{
		Code:    hosting.CodeLoginTaken,
		Message: `login "web" is taken`,
		Field:   "login",
		Op:      "hosting.CreateAccount",
	}
	err = fmt.Errorf("plesk: ftp-user add: %w", err)

	var e *hosting.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Field)
	}
	fmt.Println(err)
	// Output:
	// login_taken login
	// plesk: ftp-user add: hosting.CreateAccount: login_taken: login "web" is taken
}

func ExampleErrorCode() {
	taken := fmt.Errorf("create: %w", hosting.FieldErrorf(hosting.CodeLoginTaken, "login", "login %q is taken", "web"))
	disk := errors.New("open /var/lib/ftpanel/ftpanel.db: disk I/O error")

	for _, err := range []error{nil, taken, disk} {
		fmt.Printf("%q %q %q\n", hosting.ErrorCode(err), hosting.ErrorMessage(err), hosting.ErrorField(err))
	}
	// Output:
	// "" "" ""
	// "login_taken" "login \"web\" is taken" "login"
	// "internal" "internal error" ""
}

func ExampleCodes() {
	for _, c := range hosting.Codes()[:4] {
		fmt.Println(c)
	}
	// Output:
	// invalid_input
	// invalid_login
	// reserved_login
	// login_taken
}
