package main

// The standard tasks (issue 4) are wired in here: their settings and
// flags, and the dispatch of a first operand that names a task.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
	"github.com/entrypoint/entrypoint/tasks/lifecycle"
)

// TaskConfig holds the tasks' env twins.
type TaskConfig struct {
	Dir        string   `env:"ENTRYPOINT_DIR"`
	DryRun     bool     `env:"ENTRYPOINT_DRY_RUN"`
	InImage    string   `env:"ENTRYPOINT_IN_IMAGE"`
	PassEnv    []string `env:"ENTRYPOINT_PASS_ENV"`
	DockerArgs []string `env:"ENTRYPOINT_DOCKER_ARGS" envSeparator:" "`

	list bool // --list: an action like --help, so it has no env twin
}

// taskFlags are the tasks' flags.
var taskFlags = []flagDef{
	{0, "list", "", "", "list the tasks of the service: name, source (procfile, preset:LANG, built-in), description", on(func(c *config) { c.list = true })},
	{0, "dry-run", "", "ENTRYPOINT_DRY_RUN", "print the task's command, copy-pasteable, with its directory and added env names; run nothing", on(func(c *config) { c.DryRun = true })},
	{0, "dir", "DIR", "ENTRYPOINT_DIR", "the service directory: its Procfile, its language, the tasks' working directory (default .)", func(c *config, v string) error { c.Dir = v; return nil }},
	{0, "in-image", "IMAGE", "ENTRYPOINT_IN_IMAGE", "run the task in IMAGE (docker run --rm IMAGE TASK ARGS) instead of natively", func(c *config, v string) error { c.InImage = v; return nil }},
	{0, "pass-env", "NAME", "ENTRYPOINT_PASS_ENV", "with --in-image, pass variable NAME on to the container (repeatable; ENTRYPOINT_* always are)", func(c *config, v string) error { c.PassEnv = append(c.PassEnv, v); return nil }},
	{0, "docker-arg", "ARG", "ENTRYPOINT_DOCKER_ARGS", "with --in-image, one more docker run option before the image, e.g. --network=none (repeatable; the env twin splits on spaces)", func(c *config, v string) error { c.DockerArgs = append(c.DockerArgs, v); return nil }},
}

// taskSettings returns the tasks' settings: the env twins, then the
// flags, as parse left them, without the empty words a doubled
// separator leaves in a list.
func taskSettings(c *config) TaskConfig {
	tc := c.TaskConfig
	tc.PassEnv, tc.DockerArgs = nonEmpty(tc.PassEnv), nonEmpty(tc.DockerArgs)
	return tc
}

// nonEmpty drops the empty words a doubled separator leaves in a list.
func nonEmpty(words []string) []string {
	var kept []string
	for _, w := range words {
		if w != "" {
			kept = append(kept, w)
		}
	}
	return kept
}

// serviceDir is the service directory: --dir, ENTRYPOINT_DIR, else ".".
func (c TaskConfig) serviceDir() string {
	if c.Dir == "" {
		return "."
	}
	return c.Dir
}

// runTask runs the task named by inv.args[0] under the init and logs a
// start and an end line around it. A first operand that names no task but
// a command on PATH is a command: handled=false, inv.args unchanged, and
// supervise runs it as it would without tasks.
func runTask(inv *invocation) (code int, handled bool) {
	tc := taskSettings(inv.cfg)
	t, reg, err := resolveTask(inv, tc)
	switch {
	case errors.Is(err, errCommand) && tc.DryRun:
		dir, _ := absDir(tc.serviceDir())
		t = tasks.Task{Name: inv.args[0], Source: "command", Argv: inv.args, Dir: dir}
	case errors.Is(err, errCommand):
		handOverHooks(inv.cfg, reg)
		return 0, false
	case err != nil:
		fmt.Fprintf(inv.stderr, "%s: %v\n", inv.p.name, err)
		return exitcode.Of(err), true
	}
	if lifecycle.Handles(t, environ.Map(inv.env)) {
		return runLifecycle(inv, tc, t, reg), true
	}
	if tc.DryRun {
		fmt.Fprint(inv.stdout, tasks.DryRun(t))
		return exitcode.OK, true
	}
	if t.Name == "run" {
		handOverHooks(inv.cfg, reg)
	}
	return runResolved(inv, tc, t), true
}

// runLifecycle runs t as Go code of the lifecycle package (build,
// publish, deploy; test_integration and test_sanity around the declared
// command), or with --dry-run prints the commands it would run. SIGINT
// and SIGTERM cancel it, so that what it started is torn down; the
// commands the service declares run under the init, as any task does.
func runLifecycle(inv *invocation, tc TaskConfig, t tasks.Task, reg *tasks.Registry) int {
	ctx, stop := signal.NotifyContext(inv.ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if tc.DryRun {
		fmt.Fprint(inv.stdout, tasks.DryRunHeader(t))
	}
	runTask := func(ctx context.Context, t tasks.Task) int {
		sub := *inv
		sub.ctx, sub.args, sub.opts.Dir, sub.env = ctx, t.Argv, t.Dir, t.Environ(inv.env)
		return supervise(&sub)
	}
	service := lifecycle.Service{Dir: t.Dir, Env: environ.Map(inv.env), Tasks: reg}
	opts := lifecycle.Options{Stdout: inv.stdout, Stderr: inv.stderr, Logger: inv.log, DryRun: tc.DryRun, RunTask: runTask}
	start := time.Now()
	if !tc.DryRun {
		tasks.LogStart(inv.log, t, service.Env)
	}
	err := lifecycle.Run(ctx, t, service, opts)
	code := exitcode.Of(err)
	if err != nil {
		fmt.Fprintf(inv.stderr, "%s: %s: %v\n", inv.p.name, t.Name, err)
	}
	if !tc.DryRun {
		tasks.LogEnd(inv.log, t, time.Since(start), code)
	}
	return code
}

// errCommand says the first operand names no task but a command to run.
var errCommand = errors.New("a command, not a task")

// resolveTask finds the task inv.args names: in the image with --in-image,
// else in the service directory, which it returns loaded (nil when it
// could not be). It returns errCommand for a first operand that is no task
// and is a command on PATH (or a path).
func resolveTask(inv *invocation, tc TaskConfig) (tasks.Task, *tasks.Registry, error) {
	name, args := inv.args[0], inv.args[1:]
	vars := environ.Map(inv.env)
	if tc.InImage != "" {
		dir, err := absDir(tc.serviceDir())
		r := tasks.ImageRun{Image: tc.InImage, Dir: dir, Env: vars, Pass: tc.PassEnv, Args: tc.DockerArgs, TTY: stdinIsTerminal(inv)}
		return r.Task(name, args), nil, err
	}
	reg, err := tasks.Load(tc.serviceDir(), vars)
	if err != nil {
		if !isStandard(name) && isCommand(name, inv.env) {
			inv.log.Warn("service tasks not loaded; running the command", "cmd", name, "err", err)
			return tasks.Task{}, nil, errCommand
		}
		return tasks.Task{}, nil, err
	}
	t, err := reg.Resolve(name, args)
	if errors.Is(err, tasks.ErrUnknown) {
		if isCommand(name, inv.env) {
			return tasks.Task{}, reg, errCommand
		}
		err = fmt.Errorf("%w; no command %q on PATH either", err, name)
	}
	return t, reg, err
}

// handOverHooks gives the prelude the Procfile's prestart, prestop and
// poststop entries. They belong to the service, so they go with the run
// task and with a command (an image's CMD), not with the other tasks.
func handOverHooks(c *config, reg *tasks.Registry) {
	if reg == nil {
		return
	}
	argv := func(name string) []string {
		e, _ := reg.Procfile.Entry(name)
		return e.Argv
	}
	setHooks(c, argv("prestart"), argv("prestop"), argv("poststop"))
}

// runResolved runs t, a task found in the service directory or an image,
// as its command under the init.
func runResolved(inv *invocation, tc TaskConfig, t tasks.Task) int {
	start := time.Now()
	tasks.LogStart(inv.log, t, environ.Map(inv.env))
	if tc.InImage != "" {
		fmt.Fprintf(inv.stderr, "+ %s\n", tasks.Quote(t.Argv...))
	}
	inv.args, inv.opts.Dir, inv.env = t.Argv, t.Dir, t.Environ(inv.env)
	code := supervise(inv)
	tasks.LogEnd(inv.log, t, time.Since(start), code)
	return code
}

// listTasks writes the --list table of the service directory.
func listTasks(c *config, environment []string, stdout, stderr io.Writer) int {
	tc := taskSettings(c)
	if tc.InImage != "" {
		fmt.Fprintf(stderr, "entrypoint: --list lists the local service; for the image's tasks run: docker run --rm %s --list\n", tasks.Quote(tc.InImage))
		return exitcode.Usage
	}
	reg, err := tasks.Load(tc.serviceDir(), environ.Map(environment))
	if err == nil {
		err = tasks.WriteList(stdout, reg.List())
	}
	if err != nil {
		fmt.Fprintf(stderr, "entrypoint: %v\n", err)
	}
	return exitcode.Of(err)
}

// isStandard reports whether name spells a standard task.
func isStandard(name string) bool {
	canonical := tasks.Canonical(name)
	for _, s := range tasks.Standard() {
		if s == canonical {
			return true
		}
	}
	return false
}

// isCommand reports whether name is a path or an executable file in a
// directory of the PATH of environment (the child's, as initproc searches it).
func isCommand(name string, environment []string) bool {
	if strings.Contains(name, "/") {
		return true
	}
	path, ok := environ.Map(environment)["PATH"]
	if !ok {
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		fi, err := os.Stat(dir + "/" + name)
		if err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return true
		}
	}
	return false
}

func stdinIsTerminal(inv *invocation) bool {
	if inv.opts.Stdin != nil {
		return isTerminal(inv.opts.Stdin)
	}
	return isTerminal(os.Stdin)
}

func absDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("service directory: %w", err)
	}
	return abs, nil
}
