package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/entrypoint/entrypoint/internal/environ"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/entrypoint/entrypoint/initproc"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/render"
	"github.com/entrypoint/entrypoint/internal/prelude/require"
	"github.com/entrypoint/entrypoint/internal/prelude/user"
	"github.com/entrypoint/entrypoint/internal/prelude/wait"
	"github.com/entrypoint/entrypoint/internal/retry"
)

// plan is the prelude parsed from the configuration: everything that can
// be wrong with the settings themselves is found before any step runs.
type plan struct {
	require   require.Spec
	templates []render.Pair
	waits     []string // the targets, as written
	prestart  []string
	prestop   []string
	poststop  []string
	chown     []string
}

// prepare runs the prelude before the child starts, in this order:
// secrets, required variables, templates, waits, prestart, chown and the
// privilege drop. Each configured step logs one line at info with its
// duration. It sets inv.env to the child's environment and inv.opts'
// hooks and credential. A stop signal during the prelude ends it with
// 128+N.
//
// The tini and dumb-init personalities run no prelude: as `docker run
// --init` they sit above an image whose own ENTRYPOINT may be entrypoint,
// and running both preludes would run prestart twice and drop privileges
// before the inner one could.
func prepare(inv *invocation) error {
	if inv.p.peer {
		return nil
	}
	c := inv.cfg
	env, fromFiles, err := resolveSecrets(inv)
	if err != nil {
		return err
	}
	p, err := newPlan(c, env)
	if err != nil {
		return err
	}
	if len(fromFiles) > 0 {
		inv.env = env
	}
	if err := timed(inv, "required variables checked", len(p.require) > 0, func() ([]any, error) {
		return []any{"count", len(p.require)}, listed("required configuration is missing or invalid", p.require.Check(lookupIn(environ.Map(env))))
	}); err != nil {
		return err
	}
	if err := timed(inv, "templates rendered", len(p.templates) > 0, func() ([]any, error) {
		return []any{"count", len(p.templates)}, listed("templates", render.All(p.templates, env))
	}); err != nil {
		return err
	}
	ctx, stop := inv.ctx, func() {}
	if len(p.waits) > 0 || len(p.prestart) > 0 {
		ctx, stop = stopOnSignal(inv.ctx)
	}
	defer stop()
	if err := p.waitAll(ctx, inv); err != nil {
		return stopped(ctx, err)
	}
	if err := timed(inv, "prestart hook done", len(p.prestart) > 0, func() ([]any, error) {
		return nil, runPrestart(ctx, inv, p.prestart)
	}); err != nil {
		return stopped(ctx, err)
	}
	if err := p.drop(inv); err != nil {
		return err
	}
	inv.opts.PreStop, inv.opts.PostStop, inv.opts.HookTimeout = p.prestop, p.poststop, c.HookTimeout
	return nil
}

// resolveSecrets replaces every NAME_FILE of inv.env by NAME, logging the
// names (never the values).
func resolveSecrets(inv *invocation) (env, fromFiles []string, err error) {
	env = inv.env
	spec := inv.cfg.Secrets
	err = timed(inv, "secrets resolved", hasSecretFiles(env, spec), func() ([]any, error) {
		var err error
		env, fromFiles, err = resolveSecretFiles(inv.env, spec)
		return []any{"names", fromFiles}, listed("secrets", err)
	})
	return env, fromFiles, err
}

// newPlan parses every prelude setting and reports every malformed one.
func newPlan(c *config, env []string) (*plan, error) {
	p := &plan{}
	var errs []error
	add := func(setting string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", setting, err))
		}
	}
	var err error
	p.require, err = require.Parse(c.Require)
	add("ENTRYPOINT_REQUIRE", err)
	p.templates, err = render.Parse(c.Template)
	add("ENTRYPOINT_TEMPLATE", err)
	targets, err := wait.Parse(c.Wait)
	add("ENTRYPOINT_WAIT", err)
	for _, t := range targets {
		p.waits = append(p.waits, t.String())
	}
	vars := environ.Map(env)
	p.prestart, err = hookArgv("prestart", c.PreStart, c.hooks.prestart, vars)
	add("ENTRYPOINT_PRESTART", err)
	p.prestop, err = hookArgv("prestop", c.PreStop, c.hooks.prestop, vars)
	add("ENTRYPOINT_PRESTOP", err)
	p.poststop, err = hookArgv("poststop", c.PostStop, c.hooks.poststop, vars)
	add("ENTRYPOINT_POSTSTOP", err)
	p.chown = splitList(c.Chown)
	if len(p.chown) > 0 && c.User == "" {
		add("ENTRYPOINT_CHOWN", errors.New("needs a user to give the paths to (--user, ENTRYPOINT_USER)"))
	}
	if len(errs) > 0 {
		return nil, exitcode.Wrap(exitcode.Config, listed("invalid prelude settings", errors.Join(errs...)))
	}
	return p, nil
}

// waitAll waits for the dependencies; a late one ends the start with 69.
func (p *plan) waitAll(ctx context.Context, inv *invocation) error {
	return timed(inv, "dependencies ready", len(p.waits) > 0, func() ([]any, error) {
		targets, err := wait.Parse(strings.Join(p.waits, ","))
		if err != nil {
			return nil, err
		}
		err = wait.For(ctx, targets, wait.Options{
			Timeout: inv.cfg.WaitTimeout, Progress: inv.cfg.WaitProgress, Logger: inv.log,
			Retry: retry.Policy{Initial: 100 * time.Millisecond, Max: 2 * time.Second},
		})
		return []any{"count", len(targets)}, listed("", err)
	})
}

// drop resolves the user, chowns the paths to it and makes the child run
// as it, with HOME from /etc/passwd.
func (p *plan) drop(inv *invocation) error {
	spec := inv.cfg.User
	return timed(inv, "privileges dropped", spec != "", func() ([]any, error) {
		if err := user.CanDrop(os.Geteuid()); err != nil {
			return nil, fmt.Errorf("cannot run as %q: %w", spec, err)
		}
		u, err := user.Lookup(spec, "/")
		if err != nil {
			return nil, err
		}
		if len(p.chown) > 0 {
			if err := user.Chown(p.chown, int(u.Uid), int(u.Gid)); err != nil {
				return nil, listed("chown", err)
			}
		}
		inv.opts.Credential = u.Credential()
		inv.env = setEnv(inv.env, "HOME", u.Home)
		return []any{"uid", u.Uid, "gid", u.Gid, "groups", u.Groups, "home", u.Home, "chowned", p.chown}, nil
	})
}

// timed runs one step when it is configured, and logs msg with its
// duration and attrs once it succeeded.
func timed(inv *invocation, msg string, configured bool, step func() ([]any, error)) error {
	if !configured {
		return nil
	}
	began := time.Now()
	attrs, err := step()
	if err != nil {
		return err
	}
	inv.log.Info(msg, append(attrs, "duration", time.Since(began).Round(time.Microsecond).String())...)
	return nil
}

// listed turns a multi-line error into "what:" followed by one indented
// line per problem, keeping its exit code. With what "", the error's own
// first line is the header.
func listed(what string, err error) error {
	if err == nil {
		return nil
	}
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if what == "" && len(lines) > 1 {
		what, lines = strings.TrimSuffix(lines[0], ":"), lines[1:]
	}
	msg := lines[0]
	switch {
	case len(lines) > 1:
		msg = what + ":\n  " + strings.Join(lines, "\n  ")
	case what != "":
		msg = what + ": " + lines[0]
	}
	return exitcode.Wrap(exitcode.Of(err), errors.New(msg))
}

// stopSignal is why the prelude's context ended: a stop signal.
type stopSignal struct{ sig syscall.Signal }

func (s stopSignal) Error() string { return "stopped by " + initproc.SignalName(s.sig) }

// stopOnSignal returns a context that SIGTERM or SIGINT cancels, with the
// signal as its cause. stop ends the goroutine that watches for them.
func stopOnSignal(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case s := <-sigs:
			cancel(stopSignal{s.(syscall.Signal)})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		cancel(nil)
		<-done
		signal.Stop(sigs)
	}
}

// stopped gives err the status 128+N when a stop signal N ended ctx.
func stopped(ctx context.Context, err error) error {
	var s stopSignal
	if err != nil && errors.As(context.Cause(ctx), &s) {
		return exitcode.Wrap(128+int(s.sig), fmt.Errorf("%w before the child started: %w", s, err))
	}
	return err
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// setEnv sets k=v in env, replacing every earlier k.
func setEnv(env []string, k, v string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, k+"=") {
			out = append(out, kv)
		}
	}
	return append(out, k+"="+v)
}
