// Package exitcode names the process exit statuses entrypoint promises
// (README, "Exit codes") and carries them on errors.
//
// An error that must end the process with a specific status wraps itself in
// an *Error (or implements ExitCode() int itself); the binary maps it once,
// with Of, in its main function. Libraries never call os.Exit.
package exitcode

import "errors"

// The statuses entrypoint itself can end with. A child's own status, and
// 128+N for a child killed by signal N, pass through unchanged.
const (
	OK            = 0
	Failure       = 1   // the init's own failure
	Usage         = 2   // unknown flag, malformed input on the command line
	Unavailable   = 69  // EX_UNAVAILABLE: a dependency did not come up in time
	Config        = 78  // EX_CONFIG: required configuration missing or invalid
	Interrupted   = 130 // a task cut short by SIGINT or SIGTERM, after its cleanup (128+SIGINT, as a shell says)
	NotExecutable = 126 // the command exists but cannot be executed
	NotFound      = 127 // the command does not exist
)

// Error is an error that ends the process with Code.
type Error struct {
	Code int
	Err  error
}

// Wrap returns err carrying code, or nil when err is nil.
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the status the process ends with.
func (e *Error) ExitCode() int { return e.Code }

// Of returns the status err asks for: 0 for nil, the ExitCode of the first
// error in its chain that has one, and Failure otherwise.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return Failure
}
