package initproc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/initproc"
)

type result struct {
	code int
	err  error
}

// start runs argv under Run in the background; the returned channel
// yields Run's result. If the test ends first, Run is stopped and waited
// for, so that no init outlives its test and steals the next one's
// children.
func start(t *testing.T, ctx context.Context, argv []string, opts initproc.Options) <-chan result {
	if opts.Env == nil {
		opts.Env = childEnv()
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	done, ended := make(chan result, 1), make(chan struct{})
	go func() {
		defer close(ended)
		code, err := initproc.Run(ctx, argv, opts)
		done <- result{code, err}
	}()
	t.Cleanup(func() { cancel(); <-ended })
	return done
}

func wait(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(deadline):
		t.Fatalf("Run did not return within %v", deadline)
		return result{}
	}
}

func TestEveryExitCodePassesThrough(t *testing.T) {
	for code := 0; code <= 255; code++ {
		got, err := initproc.Run(context.Background(), child("exit", code), initproc.Options{Env: childEnv()})
		require.NoError(t, err)
		require.Equal(t, code, got, "exit %d", code)
	}
}

// terminating lists the signals whose default action ends a process.
func terminating() []syscall.Signal {
	var sigs []syscall.Signal
	for s := syscall.Signal(1); s <= 64; s++ {
		switch s {
		case syscall.SIGCHLD, syscall.SIGCONT, syscall.SIGURG, syscall.SIGWINCH,
			syscall.SIGSTOP, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, 32, 33:
			continue
		}
		sigs = append(sigs, s)
	}
	return sigs
}

func TestEverySignalDeathIs128PlusN(t *testing.T) {
	for _, sig := range terminating() {
		got, err := initproc.Run(context.Background(), child("kill-self", int(sig)), initproc.Options{Env: childEnv()})
		require.NoError(t, err)
		require.Equal(t, 128+int(sig), got, "death by %s", initproc.SignalName(sig))
	}
}

func TestExitZeroRemapsListedCodes(t *testing.T) {
	opts := initproc.Options{Env: childEnv(), ExitZero: []int{143, 3}}
	for argv, want := range map[*[]string]int{
		{os.Args[0], "exit", "3"}:       0,
		{os.Args[0], "kill-self", "15"}: 0,
		{os.Args[0], "exit", "4"}:       4,
	} {
		got, err := initproc.Run(context.Background(), *argv, opts)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%v", *argv)
	}
}

func TestStartErrorsAre127And126(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "data")
	require.NoError(t, os.WriteFile(notExec, []byte("x"), 0o644))
	for _, tc := range []struct {
		argv []string
		want int
	}{
		{[]string{"no-such-command-anywhere"}, 127},
		{[]string{filepath.Join(dir, "missing")}, 127},
		{[]string{notExec}, 126},
		{[]string{dir}, 126},
	} {
		code, err := initproc.Run(context.Background(), tc.argv, initproc.Options{})
		var se *initproc.StartError
		require.True(t, errors.As(err, &se), "%v: %v", tc.argv, err)
		assert.Equal(t, tc.want, code, "%v", tc.argv)
		assert.Equal(t, tc.want, se.ExitCode(), "%v", tc.argv)
	}
}

func TestChildStartsWithDefaultSigpipe(t *testing.T) {
	// Even when the init itself was started with SIGPIPE ignored, the
	// child gets the default disposition back.
	signal.Ignore(syscall.SIGPIPE)
	defer signal.Reset(syscall.SIGPIPE)
	out := newOutput(t)
	code, err := initproc.Run(context.Background(), child("sigpipe"), initproc.Options{Env: childEnv(), Stdout: out.w})
	require.NoError(t, err)
	require.Equal(t, 0, code)
	out.waitFor(t, "sigpipe default")
}

// startPrinter runs print-signals and waits until both it and the init
// are ready: the child printed "ready" and every signal is caught.
func startPrinter(t *testing.T, cmd string, opts initproc.Options) (*output, <-chan result) {
	out, logs := newOutput(t), newLogs()
	opts.Stdout, opts.Logger = out.w, logs.logger()
	caught := logs.when("all signals caught")
	done := start(t, context.Background(), child(cmd), opts)
	out.waitFor(t, "ready")
	waitClosed(t, caught, "catching every signal")
	return out, done
}

func TestEveryForwardableSignalIsDeliveredOnce(t *testing.T) {
	out, done := startPrinter(t, "print-signals", initproc.Options{StopTimeout: time.Hour})
	for _, sig := range initproc.Forwarded() {
		if sig == syscall.SIGTERM {
			continue
		}
		require.NoError(t, syscall.Kill(os.Getpid(), sig))
		out.waitFor(t, fmt.Sprintf("signal %d", sig))
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	out.waitFor(t, "signal 15")
	r := wait(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, 0, r.code)
	assert.Empty(t, out.rest(), "a signal was delivered more than once")
	seen := map[string]int{}
	for _, line := range out.seen {
		seen[line]++
	}
	for line, n := range seen {
		assert.Equal(t, 1, n, "%q seen %d times", line, n)
	}
}

func TestRewriteMapsAndDrops(t *testing.T) {
	opts := initproc.Options{Rewrite: map[syscall.Signal]syscall.Signal{
		syscall.SIGUSR1: syscall.SIGUSR2,
		syscall.SIGHUP:  0,
	}}
	out, done := startPrinter(t, "print-signals", opts)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	out.waitFor(t, "signal 12")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	out.waitFor(t, "signal 15")
	require.Equal(t, 0, wait(t, done).code)
	assert.NotContains(t, out.seen, "signal 10")
	assert.NotContains(t, out.seen, "signal 1", "SIGHUP was rewritten to 0 and must be dropped")
}

func TestGroupDelivery(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts initproc.Options
		both bool
	}{
		{"child only by default", initproc.Options{Subreaper: true}, false},
		{"whole group with KillGroup", initproc.Options{Subreaper: true, KillGroup: true}, true},
		{"whole group with Setsid", initproc.Options{Subreaper: true, Setsid: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, done := startPrinter(t, "group-print-signals", tc.opts)
			out.waitFor(t, "grandchild ready")
			require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
			out.waitFor(t, "signal 10")
			if tc.both {
				out.waitFor(t, "grandchild signal 10")
			}
			require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
			// The child exits on SIGTERM; the grandchild gets it from the
			// group or, left behind, from the drain: either way it prints
			// its signals in the order it received them.
			out.waitFor(t, "grandchild signal 15")
			require.Equal(t, 0, wait(t, done).code)
			if !tc.both {
				assert.NotContains(t, out.seen, "grandchild signal 10")
			}
		})
	}
}

func TestStopTimeoutKillsTermIgnoringChild(t *testing.T) {
	out, logs := newOutput(t), newLogs()
	ctx, cancel := context.WithCancel(context.Background())
	done := start(t, ctx, child("ignore-term"), initproc.Options{Stdout: out.w, Logger: logs.logger(), StopTimeout: 200 * time.Millisecond})
	out.waitFor(t, "ready")
	cancel()
	r := wait(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, 128+int(syscall.SIGKILL), r.code)
	assert.Equal(t, 1, logs.count("killed after the stop timeout"))
}

func TestDrainStopsLingeringDescendants(t *testing.T) {
	for _, tc := range []struct {
		mode   string
		killed int
	}{{"", 0}, {"ignore-term", 3}} {
		t.Run("daemons "+tc.mode, func(t *testing.T) {
			out, logs := newOutput(t), newLogs()
			opts := initproc.Options{Env: childEnv(), Stdout: out.w, Logger: logs.logger(), Subreaper: true, StopTimeout: 300 * time.Millisecond}
			code, err := initproc.Run(context.Background(), child("daemonise-and-linger", 3, tc.mode), opts)
			require.NoError(t, err)
			assert.Equal(t, 0, code, "the main child's status is kept")
			assert.Equal(t, tc.killed, logs.count("killed after the stop timeout"))
			var pids []int
			for _, line := range out.rest() {
				var pid int
				if _, err := fmt.Sscanf(line, "daemon %d", &pid); err == nil {
					pids = append(pids, pid)
				}
			}
			require.Len(t, pids, 3)
			for _, pid := range pids {
				assert.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH, "daemon %d outlived the init", pid)
			}
		})
	}
}

func TestReapsTenThousandOrphans(t *testing.T) {
	logs := newLogs()
	out := newOutput(t)
	opts := initproc.Options{Env: childEnv(), Stdout: out.w, Logger: logs.logger(), Subreaper: true}
	code, err := initproc.Run(context.Background(), child("spawn-orphans", 10000), opts)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	assert.Equal(t, 10000, logs.count("reaped orphan"))
	_, err = syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
	assert.ErrorIs(t, err, syscall.ECHILD, "a child is left after Run returned")
}

func TestContextCancelStopsTheChild(t *testing.T) {
	out := newOutput(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := start(t, ctx, child("print-signals"), initproc.Options{Stdout: out.w})
	out.waitFor(t, "ready")
	cancel()
	out.waitFor(t, "signal 15")
	assert.Equal(t, 0, wait(t, done).code)
}
