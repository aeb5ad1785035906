package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"

	cmdpkg "github.com/entrypoint/entrypoint/internal/command"

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
	cmd := cmdpkg.Cmd{Argv: c.argv, Line: c.line(), Dir: r.dir, Env: r.env, Stdin: c.stdin, Stdout: out, Stderr: r.stderr}
	return true, toolFailed(cmdpkg.Run(ctx, cmd))
}

// CommandError is the error of a tool's command that failed: its line, its
// exit status and the tail of what it wrote to stderr. The errors of the
// lifecycle tasks wrap it, with the status the binary ends with (see
// toolStatus).
type CommandError = cmdpkg.Error

// toolFailed gives err, when a tool's command failed, the status the
// binary ends with.
func toolFailed(err error) error {
	var ce *CommandError
	if errors.As(err, &ce) {
		return exitcode.Wrap(toolStatus(ce.Status), err)
	}
	return err
}

// toolStatus is the status the binary ends with for a tool that ended
// with status: the tool's own, or 1 when it did not start or its status
// says nothing or means something else here (0, 126 to 128).
func toolStatus(status int) int {
	if status > 0 && status <= 125 || status > 128 {
		return status
	}
	return exitcode.Failure
}

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
	err := cmdpkg.Run(ctx, cmdpkg.Cmd{Argv: t.Argv, Line: tasks.Quote(t.Argv...), Dir: t.Dir, Env: t.Environ(r.env), Stdout: r.stdout, Stderr: r.stderr})
	return exitcode.Of(toolFailed(err))
}

// pattern returns a function that compiles expr on its first call. The
// binary's every start runs the package's initialisation, so the lifecycle
// tasks' patterns must not be compiled there.
func pattern(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
