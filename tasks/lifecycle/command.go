package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/retry"
	"github.com/entrypoint/entrypoint/tasks"
)

// runner runs the tools' commands of one lifecycle task: it prints each
// line before it runs it, sends the tools' own output to stderr (stdout
// carries only results: a reference, a digest) and keeps the tail of
// their stderr for the error it returns.
type runner struct {
	dir            string
	env            []string
	vars           map[string]string
	stdout, stderr io.Writer
	log            *slog.Logger
	dryRun         bool
	runTask        func(ctx context.Context, t tasks.Task) int
}

func newRunner(s Service, o Options) *runner {
	r := &runner{dir: s.Dir, vars: s.Env, env: environ.List(s.Env), stdout: o.Stdout, stderr: o.Stderr, log: o.Logger, dryRun: o.DryRun, runTask: o.RunTask}
	if r.stdout == nil {
		r.stdout = io.Discard
	}
	if r.stderr == nil {
		r.stderr = io.Discard
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// command is one command line and what it needs besides its words.
type command struct {
	argv  []string
	stdin string // fed to standard input; never printed
	// stdinFrom is how the printed line gets the same input: a shell
	// pipeline head such as `printf %s "$NAME"`, naming the variable
	// that holds a secret instead of showing it.
	stdinFrom string
	readOnly  bool // changes nothing: runs under DryRun too
}

// line is the copy-pasteable form of c.
func (c command) line() string {
	if c.stdinFrom != "" {
		return c.stdinFrom + " | " + tasks.Quote(c.argv...)
	}
	return tasks.Quote(c.argv...)
}

// show prints c as it is about to run, or as a dry run shows it.
func (r *runner) show(c command) {
	if r.dryRun && !c.readOnly {
		fmt.Fprintln(r.stdout, c.line())
		return
	}
	fmt.Fprintf(r.stderr, "+ %s\n", c.line())
}

// run runs argv, its output going to stderr.
func (r *runner) run(ctx context.Context, argv ...string) error {
	_, err := r.exec(ctx, command{argv: argv}, nil)
	return err
}

// output runs argv and returns its standard output, trimmed. Under
// DryRun it prints the line and returns "".
func (r *runner) output(ctx context.Context, argv ...string) (string, error) {
	var out bytes.Buffer
	_, err := r.exec(ctx, command{argv: argv}, &out)
	return strings.TrimSpace(out.String()), err
}

// query runs argv, which changes nothing, even under DryRun, and returns
// its standard output, trimmed.
func (r *runner) query(ctx context.Context, argv ...string) (string, error) {
	var out bytes.Buffer
	_, err := r.exec(ctx, command{argv: argv, readOnly: true}, &out)
	return strings.TrimSpace(out.String()), err
}

// exec prints c and, unless this is a dry run of a command that changes
// state, runs it in the service directory. Its stdout goes to out (nil:
// stderr), its stderr to stderr and to the error's tail.
func (r *runner) exec(ctx context.Context, c command, out io.Writer) (ran bool, err error) {
	r.show(c)
	if r.dryRun && !c.readOnly {
		return false, nil
	}
	cmd := exec.CommandContext(ctx, c.argv[0], c.argv[1:]...)
	cmd.Dir, cmd.Env = r.dir, r.env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if c.stdin != "" {
		cmd.Stdin = strings.NewReader(c.stdin)
	}
	tail := &tailBuffer{max: 4096}
	cmd.Stdout = out
	if out == nil {
		cmd.Stdout = r.stderr
	}
	cmd.Stderr = io.MultiWriter(r.stderr, tail)
	if err := cmd.Run(); err != nil {
		return true, commandFailed(c, err, tail.String())
	}
	return true, nil
}

// CommandError is the error of a tool's command that failed: its line, its
// exit status and the last line it wrote to stderr.
type CommandError struct {
	Line   string // the command line as printed
	Status int    // its exit status, 128+N when signal N ended it, -1 when it did not start
	Stderr string // the tail of its stderr
	err    error
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Line, e.err)
	if last := lastLine(e.Stderr); last != "" {
		msg += ": " + last
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.err }

// ExitCode is the status the binary ends with: the tool's own, or 1
// when it did not start or its status says nothing (0, or above 125).
func (e *CommandError) ExitCode() int {
	if e.Status > 0 && e.Status <= 125 {
		return e.Status
	}
	if e.Status > 128 {
		return e.Status
	}
	return exitcode.Failure
}

func commandFailed(c command, err error, stderr string) *CommandError {
	e := &CommandError{Line: c.line(), Status: -1, Stderr: stderr, err: err}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		e.Status = exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Status = 128 + int(ws.Signal())
		}
	}
	return e
}

func lastLine(s string) string {
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

// retry runs op, a step that is safe to repeat, with backoff until it
// succeeds, returns an error transient rejects, or p gives up; each
// retry is logged with what failed. Under DryRun op runs once.
func (r *runner) retry(ctx context.Context, step string, p retry.Policy, transient func(error) bool, op func(context.Context) error) error {
	if r.dryRun {
		return op(ctx)
	}
	return retry.Do(ctx, func(ctx context.Context, attempt int) error {
		err := op(ctx)
		switch {
		case err == nil:
			return nil
		case transient != nil && !transient(err):
			return retry.Permanent(err)
		case attempt == p.Attempts:
			return err // the last: Do gives up
		}
		r.log.Warn("step failed; retrying", "step", step, "attempt", attempt, "err", err)
		return err
	}, p)
}

// task prints and runs a task the service declares, through the front
// end's RunTask, and returns its exit status.
func (r *runner) task(ctx context.Context, t tasks.Task) int {
	fmt.Fprintf(r.stderr, "+ %s\n", tasks.Quote(t.Argv...))
	if r.runTask != nil {
		return r.runTask(ctx, t)
	}
	cmd := exec.CommandContext(ctx, t.Argv[0], t.Argv[1:]...)
	cmd.Dir, cmd.Env = t.Dir, t.Environ(r.env)
	cmd.Stdout, cmd.Stderr = r.stdout, r.stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		return commandFailed(command{argv: t.Argv}, err, "").ExitCode()
	}
	return 0
}

// pattern returns a function that compiles expr on its first call. The
// binary's every start runs the package's initialisation, so the lifecycle
// tasks' patterns must not be compiled there.
func pattern(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
