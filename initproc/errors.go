package initproc

import (
	"errors"
	"fmt"
	"syscall"
)

// StartError reports a child that could not be started. Its ExitCode is
// 127 when the command does not exist and 126 when it cannot be executed,
// as a shell would say.
type StartError struct {
	Path string
	Err  error
}

func (e *StartError) Error() string {
	return fmt.Sprintf("start %s: %v", e.Path, e.Err)
}

func (e *StartError) Unwrap() error { return e.Err }

// ExitCode is 127 for a missing command, 126 for any other failure.
func (e *StartError) ExitCode() int {
	if errors.Is(e.Err, syscall.ENOENT) || errors.Is(e.Err, errNotInPath) {
		return 127
	}
	return 126
}

var errNotInPath = errors.New("not found in PATH")

// statusCode is the conventional exit status for a wait status: the exit
// code, or 128+N for a death by signal N.
func statusCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
