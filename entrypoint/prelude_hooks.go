package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// hookArgv is a hook's command: the setting (ENTRYPOINT_PRESTART and its
// flag) split into words like a Procfile command, else the Procfile's
// entry, else none.
func hookArgv(name, setting string, fromProcfile []string, env map[string]string) ([]string, error) {
	if strings.TrimSpace(setting) == "" {
		return fromProcfile, nil
	}
	if strings.ContainsAny(setting, "\r\n") {
		return nil, errors.New("a hook is one command: no line breaks")
	}
	pf, err := tasks.ParseProcfile("ENTRYPOINT_"+strings.ToUpper(name), strings.NewReader(name+": "+setting), env)
	if err != nil {
		return nil, err
	}
	e, _ := pf.Entry(name)
	if len(e.Argv) == 0 {
		return nil, fmt.Errorf("%q expands to no command", setting)
	}
	return e.Argv, nil
}

// runPrestart runs the prestart hook before the init starts (nothing
// reaps yet, so exec.Cmd may wait). It gets the child's environment and
// output; a stop signal is passed on to it, and an overrun (past
// ENTRYPOINT_HOOK_TIMEOUT, when set) kills its process group. Its failure
// is the exit status.
func runPrestart(ctx context.Context, inv *invocation, argv []string) error {
	hookCtx, cancel := ctx, context.CancelFunc(func() {})
	if inv.cfg.HookTimeout > 0 {
		hookCtx, cancel = context.WithTimeout(ctx, inv.cfg.HookTimeout)
	}
	defer cancel()
	cmd := exec.CommandContext(hookCtx, argv[0], argv[1:]...)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = inv.env, nil, inv.stdout, inv.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = inv.opts.StopTimeout
	cmd.Cancel = func() error {
		if ctx.Err() != nil { // a stop signal: ask the hook to stop too
			return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		}
		inv.log.Warn("hook overran its timeout; killed", "hook", "prestart", "pid", cmd.Process.Pid, "timeout", inv.cfg.HookTimeout)
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		code := exitcode.NotExecutable
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, syscall.ENOENT) {
			code = exitcode.NotFound
		}
		return exitcode.Wrap(code, fmt.Errorf("prestart hook: %w", err))
	}
	inv.log.Info("hook started", "hook", "prestart", "pid", cmd.Process.Pid, "cmd", argv[0])
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	attrs := []any{"hook", "prestart", "pid", cmd.Process.Pid, "code", code, "duration", time.Since(began).Round(time.Microsecond).String()}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
		attrs[5] = code
		attrs = append(attrs, "signal", ws.Signal().String())
	}
	inv.log.Info("hook ended", attrs...)
	if err != nil {
		return exitcode.Wrap(code, fmt.Errorf("prestart hook %s: %w", argv[0], err))
	}
	return nil
}
