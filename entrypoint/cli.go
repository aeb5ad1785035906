package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/entrypoint/entrypoint/internal/environ"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/entrypoint/entrypoint/initproc"
	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// run is the whole command: args as os.Args, env as os.Environ. It returns
// the status to exit with. Logs and help go to stdout (stderr for the tini
// and dumb-init personalities); the child inherits stdout and stderr when
// they are files.
func run(ctx context.Context, args, environment []string, stdout, stderr io.Writer) int {
	p := personalityOf(args[0])
	c, operands, err := parse(p, args[1:], environment)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v (see %s -h)\n", p.name, err, p.name)
		return exitcode.Of(err)
	}
	switch {
	case c.help:
		usage(stdout, p)
		return exitcode.OK
	case c.version:
		p.version(stdout)
		return exitcode.OK
	case c.list:
		return listTasks(c, environment, stdout, stderr)
	case len(operands) == 0:
		fmt.Fprintf(stderr, "%s: no command to run (usage: %s)\n", p.name, p.usage)
		return exitcode.Usage
	}
	logOut := stdout
	if p.toStderr {
		logOut = stderr
	}
	log, opts, err := setup(p, c, environment, logOut)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", p.name, err)
		return exitcode.Usage
	}
	inv := &invocation{ctx: ctx, p: p, cfg: c, args: operands, env: environment, stdout: stdout, stderr: stderr, log: log, opts: opts}
	if p.name == "entrypoint" && !c.dashdash {
		if code, handled := dispatch(inv); handled {
			return code
		}
	}
	return supervise(inv)
}

// invocation is one run of the binary once flags are parsed: what
// subcommands, tasks and the supervised command work from.
type invocation struct {
	ctx            context.Context
	p              personality
	cfg            *config
	args           []string // the operands: COMMAND ARGS, or SUBCOMMAND/TASK ARGS
	env            []string // the environment the child gets
	stdout, stderr io.Writer
	log            *slog.Logger
	opts           initproc.Options
}

// dispatch runs a subcommand or a task named by the first operand. It
// reports handled=false when the operand is neither, or when the task
// resolves to a command that supervise should run (inv.args rewritten).
func dispatch(inv *invocation) (code int, handled bool) {
	switch inv.args[0] {
	case "healthcheck":
		return runHealthcheck(inv), true
	case "env":
		return runEnv(inv), true
	}
	return runTask(inv)
}

// supervise runs the prelude, then inv.args under the init.
func supervise(inv *invocation) int {
	if err := prepare(inv); err != nil {
		fmt.Fprintf(inv.stderr, "%s: %v\n", inv.p.name, err)
		return exitcode.Of(err)
	}
	opts := inv.opts
	opts.Env = inv.env
	opts.Stdout, _ = inv.stdout.(*os.File)
	opts.Stderr, _ = inv.stderr.(*os.File)
	code, err := initproc.Run(inv.ctx, inv.args, opts)
	if err != nil {
		fmt.Fprintf(inv.stderr, "%s: %v\n", inv.p.name, err)
		return exitcode.Of(err)
	}
	return code
}

// parse reads the env twins, then the flags, and returns the operands. A
// bad env value is a configuration error (78), a bad flag a usage error (2).
func parse(p personality, args, environment []string) (*config, []string, error) {
	vars := environ.Map(environment)
	c := &config{}
	if err := env.ParseWithOptions(c, env.Options{Environment: vars}); err != nil {
		return nil, nil, exitcode.Wrap(exitcode.Config, envError(err))
	}
	c.Setsid = c.Setsid || p.setsid
	if _, set := vars["ENTRYPOINT_SUBREAPER"]; p.peer && !set {
		c.Subreaper = false // tini and dumb-init are no subreaper unless asked
	}
	applyPeerEnv(c, lookupIn(vars))
	if err := c.check(); err != nil {
		return nil, nil, exitcode.Wrap(exitcode.Config, err)
	}
	operands, err := parseFlags(p.flags, c, args)
	if err == nil {
		err = c.check()
	}
	return c, operands, exitcode.Wrap(exitcode.Usage, err)
}

// check finds the settings that parse but mean nothing: an unknown log
// level or format, a bad rewrite, exit code or signal.
func (c *config) check() error {
	if _, err := parseLevel(c.LogLevel, 0); err != nil {
		return fmt.Errorf("ENTRYPOINT_LOG_LEVEL: %w", err)
	}
	switch strings.ToLower(c.LogFormat) {
	case "", "auto", "json", "text":
	default:
		return fmt.Errorf("ENTRYPOINT_LOG_FORMAT: invalid log format %q (want auto, json or text)", c.LogFormat)
	}
	_, err := c.options()
	return err
}

// setup builds the logger and initproc's options from the configuration.
func setup(p personality, c *config, environment []string, w io.Writer) (*slog.Logger, initproc.Options, error) {
	lookup := lookupIn(environ.Map(environment))
	level := p.logLevel
	if _, set := lookup("ENTRYPOINT_LOG_LEVEL"); set || p.name == "entrypoint" {
		l, err := parseLevel(c.LogLevel, 0)
		if err != nil {
			return nil, initproc.Options{}, err
		}
		level = l
	} else if l, ok := tiniVerbosity(lookup); ok && p.name == "tini" {
		level = l
	}
	level -= slog.Level(4 * c.verbosity)
	log, err := newLogger(w, c.LogFormat, level, lookup)
	if err != nil {
		return nil, initproc.Options{}, err
	}
	opts, err := c.options()
	opts.Logger = log
	return log, opts, err
}

func usage(w io.Writer, p personality) {
	fmt.Fprintf(w, "Usage: %s\n\n", p.usage)
	if p.name == "entrypoint" {
		fmt.Fprint(w, "Runs COMMAND as the child of a PID-1 init: forwards signals, reaps zombies,\nstops gracefully and exits with the child's status.\n\n")
	}
	fmt.Fprintln(w, "Flags (env twin in brackets):")
	for _, d := range p.flags {
		spell := "    "
		if d.short != 0 {
			spell = fmt.Sprintf("-%c, ", d.short)
		}
		spell += "--" + d.long
		if d.arg != "" {
			spell += " " + d.arg
		}
		line := fmt.Sprintf("  %-30s %s", spell, d.help)
		if d.env != "" {
			line += " [" + d.env + "]"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprint(w, "\nLifecycle tasks (build, publish, deploy; test_integration with a compose file;\n"+
		"test_sanity with ENTRYPOINT_SANITY_URL) read their settings from the environment:\n"+
		"ENTRYPOINT_IMAGE, ENTRYPOINT_REGISTRY, ENTRYPOINT_REGISTRY_USER, ENTRYPOINT_REGISTRY_PASSWORD[_FILE],\n"+
		"ENTRYPOINT_DEPLOY_TARGET, ENTRYPOINT_DEPLOY_*, ENTRYPOINT_SANITY_URL, ... (README, docs/deploy.md).\n")
	fmt.Fprint(w, "\nExit status: the child's; 128+N if it was killed by signal N; 126 not executable;\n127 not found; 2 usage error; 78 configuration error; 69 a dependency never came up\n(or a deployed or tested service never turned healthy); 130 a lifecycle task interrupted;\n1 the init's own failure.\n")
}

// envError names the variable behind each of caarlos0/env's errors, all on
// one line.
func envError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	msgs := make([]string, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			msgs = append(msgs, fmt.Sprintf("%s: %v", envTag(reflect.TypeOf(config{}), pe.Name), pe.Err))
			continue
		}
		msgs = append(msgs, e.Error())
	}
	return errors.New(strings.Join(msgs, "; "))
}

// envTag is the env variable of the config field named field.
func envTag(t reflect.Type, field string) string {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if tag := envTag(f.Type, field); tag != field {
				return tag
			}
		}
		if f.Name == field {
			if tag, ok := f.Tag.Lookup("env"); ok {
				return strings.Split(tag, ",")[0]
			}
		}
	}
	return field
}

func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
