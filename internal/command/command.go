// Package command runs one tool's command line for the steps that drive
// real tools (the lifecycle tasks, the release build): the tool's stdout
// goes where the caller says, its stderr passes through to the caller's
// stderr while its tail is kept, and a failure is an *Error that names
// the line, the tool's status and the last line it wrote to stderr.
//
// Printing the line before it runs is the caller's: each shows it its own
// way (a dry run prints it instead of running it). Run starts no
// goroutine that outlives it; when ctx ends the tool gets SIGTERM, and
// SIGKILL 10 s later if it is still running.
package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Cmd is one command line and where it runs.
type Cmd struct {
	Argv   []string
	Line   string    // the line as the caller printed it, for the error
	Dir    string    // the working directory; "" is the caller's
	Env    []string  // the whole environment, NAME=value
	Stdin  string    // fed to standard input
	Stdout io.Writer // nil: Stderr
	Stderr io.Writer // nil: discarded (the tail is kept either way)
}

// tailSize is how much of a tool's stderr an Error keeps.
const tailSize = 4096

// Run runs c and returns nil, or an *Error when the tool did not start
// or did not exit 0.
func Run(ctx context.Context, c Cmd) error {
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if c.Stdin != "" {
		cmd.Stdin = strings.NewReader(c.Stdin)
	}
	stderr := c.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	cmd.Stdout = c.Stdout
	if cmd.Stdout == nil {
		cmd.Stdout = stderr
	}
	tail := &tailBuffer{max: tailSize}
	cmd.Stderr = io.MultiWriter(stderr, tail)
	if err := cmd.Run(); err != nil {
		return Failed(c.Line, err, tail.String())
	}
	return nil
}

// Error is the error of a tool's command that failed: its line, its exit
// status and the tail of what it wrote to stderr.
type Error struct {
	Line   string // the command line as printed
	Status int    // its exit status, 128+N when signal N ended it, -1 when it did not start
	Stderr string // the tail of its stderr
	Err    error  // what exec said
}

// Failed makes the Error of the command printed as line that ended with
// err (from exec) after writing stderr.
func Failed(line string, err error, stderr string) *Error {
	e := &Error{Line: line, Status: -1, Stderr: stderr, Err: err}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		e.Status = exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Status = 128 + int(ws.Signal())
		}
	}
	return e
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Line, e.Err)
	if last := LastLine(e.Stderr); last != "" {
		msg += ": " + last
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// LastLine is the last non-blank line of s, trimmed.
func LastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }
