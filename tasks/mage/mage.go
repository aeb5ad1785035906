// Package mage is the standard tasks as mage targets, for a service's
// magefile.go:
//
//	//go:build mage
//
//	package main
//
//	import (
//		//mage:import
//		_ "github.com/entrypoint/entrypoint/tasks/mage"
//	)
//
// `go tool mage testUnit` then runs exactly what `entrypoint test_unit`
// runs: the task is resolved by tasks.Load and Resolve in the working
// directory (or ENTRYPOINT_DIR) from the process environment, logged with
// the same start and end lines, and its command runs under initproc.Run,
// which forwards signals, reaps and stops the task's process tree as the
// binary does. With ENTRYPOINT_IN_IMAGE set, it runs in that image
// instead (see tasks.ImageRun). With ENTRYPOINT_DRY_RUN=1 it prints what
// it would run, as `entrypoint --dry-run` does, and runs nothing. The
// lifecycle tasks (build, publish, deploy, and test_integration and
// test_sanity around the declared tests) run the Go code of package
// tasks/lifecycle, as the binary does.
//
// Every exported function of this package is a target; mage ignores the
// exported types. An error from a target carries the task's exit status
// through ExitStatus() int, which mage exits with (and ExitCode() int, as
// the binary's errors do).
//
// initproc.Run waits for every child of the process while it runs, so
// the targets hold a lock and run one at a time; do not run other commands
// (sh.Run) in parallel with them (use mg.SerialDeps, not mg.Deps).
package mage

import (
	"context"
	"fmt"
	"github.com/entrypoint/entrypoint/internal/environ"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/entrypoint/entrypoint/initproc"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
	"github.com/entrypoint/entrypoint/tasks/lifecycle"
)

// StaticAnalysis runs the static_analysis task.
func StaticAnalysis(ctx context.Context) error { return Runner{}.Run(ctx, "static_analysis") }

// TestUnit runs the test_unit task.
func TestUnit(ctx context.Context) error { return Runner{}.Run(ctx, "test_unit") }

// TestIntegration runs the test_integration task.
func TestIntegration(ctx context.Context) error { return Runner{}.Run(ctx, "test_integration") }

// Build runs the build task.
func Build(ctx context.Context) error { return Runner{}.Run(ctx, "build") }

// Publish runs the publish task.
func Publish(ctx context.Context) error { return Runner{}.Run(ctx, "publish") }

// Deploy runs the deploy task.
func Deploy(ctx context.Context) error { return Runner{}.Run(ctx, "deploy") }

// Run runs the run task: the service itself.
func Run(ctx context.Context) error { return Runner{}.Run(ctx, "run") }

// TestSanity runs the test_sanity task.
func TestSanity(ctx context.Context) error { return Runner{}.Run(ctx, "test_sanity") }

// Task runs any task of the service by name, a Procfile entry included:
// `mage task db_migrate`.
func Task(ctx context.Context, name string) error { return Runner{}.Run(ctx, name) }

// Runner runs tasks as the targets do; its zero value is what they use.
type Runner struct {
	Dir    string       // the service directory; "" is ENTRYPOINT_DIR, else "."
	Env    []string     // the environment; nil is os.Environ()
	Logger *slog.Logger // the start and end lines and the init's events; nil logs text to stderr
	// Stdin, Stdout and Stderr are the task's; nil is the process's own.
	Stdin, Stdout, Stderr *os.File
}

// running serialises initproc.Run within the process (see the package doc).
var running sync.Mutex

// Run resolves the task name with args and runs it under initproc.Run. It
// returns nil when the task exits 0, and otherwise an error carrying the
// status (ExitStatus, ExitCode): the task's own, 128+N for a death by
// signal N, 2 for an unknown task, 127 for a command not found.
func (r Runner) Run(ctx context.Context, name string, args ...string) error {
	env := r.Env
	if env == nil {
		env = os.Environ()
	}
	t, reg, err := r.resolve(name, args, env)
	if err != nil {
		return &exitError{code: exitcode.Of(err), err: err}
	}
	log := r.logger()
	if dry, _ := strconv.ParseBool(environ.Map(env)["ENTRYPOINT_DRY_RUN"]); dry {
		return r.dryRun(ctx, t, reg, env, log)
	}
	if image := environ.Map(env)["ENTRYPOINT_IN_IMAGE"]; image != "" {
		fmt.Fprintf(r.stderr(), "+ %s\n", tasks.Quote(t.Argv...))
	}
	start := time.Now()
	tasks.LogStart(log, t, environ.Map(env))
	code, err := r.run(ctx, t, reg, env, log)
	tasks.LogEnd(log, t, time.Since(start), code)
	switch {
	case err != nil:
		return &exitError{code: code, err: err}
	case code != 0:
		return &exitError{code: code, err: fmt.Errorf("task %s: exit status %d", t.Name, code)}
	}
	return nil
}

// dryRun prints what the task would run, as `entrypoint --dry-run` does,
// and runs nothing: a lifecycle task's commands, or the task's command
// line.
func (r Runner) dryRun(ctx context.Context, t tasks.Task, reg *tasks.Registry, env []string, log *slog.Logger) error {
	vars := environ.Map(env)
	if !lifecycle.Handles(t, vars) {
		fmt.Fprint(r.stdout(), tasks.DryRun(t))
		return nil
	}
	fmt.Fprint(r.stdout(), tasks.DryRunHeader(t))
	service := lifecycle.Service{Dir: t.Dir, Env: vars, Tasks: reg}
	opts := lifecycle.Options{Stdout: r.stdout(), Stderr: r.stderr(), Logger: log, DryRun: true}
	if err := lifecycle.Run(ctx, t, service, opts); err != nil {
		return &exitError{code: exitcode.Of(err), err: err}
	}
	return nil
}

// resolve finds the task in the image named by ENTRYPOINT_IN_IMAGE, or in
// the service directory.
func (r Runner) resolve(name string, args, env []string) (tasks.Task, *tasks.Registry, error) {
	vars := environ.Map(env)
	dir := r.Dir
	if dir == "" {
		dir = vars["ENTRYPOINT_DIR"]
	}
	if dir == "" {
		dir = "."
	}
	if image := vars["ENTRYPOINT_IN_IMAGE"]; image != "" {
		abs, err := filepath.Abs(dir)
		run := tasks.ImageRun{Image: image, Dir: abs, Env: vars, Pass: splitList(vars["ENTRYPOINT_PASS_ENV"]), Args: strings.Fields(vars["ENTRYPOINT_DOCKER_ARGS"]), TTY: isTerminal(r.stdin())}
		return run.Task(name, args), nil, err
	}
	reg, err := tasks.Load(dir, vars)
	if err != nil {
		return tasks.Task{}, nil, err
	}
	t, err := reg.Resolve(name, args)
	return t, reg, err
}

// run runs a resolved task: a lifecycle task as Go code of package
// lifecycle, whose declared commands come back to command; any other
// task's command under the init.
func (r Runner) run(ctx context.Context, t tasks.Task, reg *tasks.Registry, env []string, log *slog.Logger) (int, error) {
	vars := environ.Map(env)
	if !lifecycle.Handles(t, vars) {
		return r.command(ctx, t, env, log)
	}
	runTask := func(ctx context.Context, t tasks.Task) int {
		code, _ := r.command(ctx, t, env, log)
		return code
	}
	service := lifecycle.Service{Dir: t.Dir, Env: vars, Tasks: reg}
	opts := lifecycle.Options{Stdout: r.stdout(), Stderr: r.stderr(), Logger: log, RunTask: runTask}
	err := lifecycle.Run(ctx, t, service, opts)
	return exitcode.Of(err), err
}

// command runs the command of t under the init.
func (r Runner) command(ctx context.Context, t tasks.Task, env []string, log *slog.Logger) (int, error) {
	running.Lock()
	defer running.Unlock()
	opts := initproc.Options{
		Logger: log, Env: t.Environ(env), Dir: t.Dir, Subreaper: true,
		Stdin: r.Stdin, Stdout: r.Stdout, Stderr: r.Stderr,
	}
	code, err := initproc.Run(ctx, t.Argv, opts)
	if err != nil {
		return exitcode.Of(err), err
	}
	return code, nil
}

func (r Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

func (r Runner) stderr() *os.File {
	if r.Stderr != nil {
		return r.Stderr
	}
	return os.Stderr
}

func (r Runner) stdout() *os.File {
	if r.Stdout != nil {
		return r.Stdout
	}
	return os.Stdout
}

func (r Runner) stdin() *os.File {
	if r.Stdin != nil {
		return r.Stdin
	}
	return os.Stdin
}

// exitError is the error of a target: mage exits with ExitStatus.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string   { return e.err.Error() }
func (e *exitError) Unwrap() error   { return e.err }
func (e *exitError) ExitStatus() int { return e.code }
func (e *exitError) ExitCode() int   { return e.code }

var _ interface{ ExitStatus() int } = (*exitError)(nil)

// splitList reads a comma-separated list, as caarlos0/env reads the
// binary's ENTRYPOINT_PASS_ENV.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func isTerminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
