package initproc_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/initproc"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// hookEnv is the children's environment, with HOOK set to say who prints.
func hookEnv() []string { return append(childEnv(), "HOOK=prestop ran") }

func TestPreStopRunsBeforeTheSignalIsForwarded(t *testing.T) {
	out, logs := newOutput(t), newLogs()
	ctx, cancel := context.WithCancel(context.Background())
	done := start(t, ctx, child("print-signals"), initproc.Options{
		Env: hookEnv(), Stdout: out.w, Logger: logs.logger(), PreStop: child("env", "HOOK"),
	})
	out.waitFor(t, "ready")
	cancel()
	r := wait(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, 0, r.code)
	assert.Equal(t, []string{"HOOK=prestop ran", "signal 15"}, out.rest(), "the hook's line comes before the child sees SIGTERM")
	assert.Equal(t, 1, logs.count("hook started hook=prestop"))
	assert.Equal(t, 1, logs.count("hook ended hook=prestop"))
}

func TestPreStopThatOverrunsIsKilledAndTheSignalStillForwarded(t *testing.T) {
	out, logs := newOutput(t), newLogs()
	ctx, cancel := context.WithCancel(context.Background())
	done := start(t, ctx, child("print-signals"), initproc.Options{
		Stdout: out.w, Logger: logs.logger(), PreStop: child("sleep"), HookTimeout: 300 * time.Millisecond,
	})
	out.waitFor(t, "ready")
	cancel()
	r := wait(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, 0, r.code, "the child got SIGTERM after the hook was killed")
	assert.Equal(t, []string{"ready", "signal 15"}, out.rest(), "the hook's ready, then the child's signal")
	assert.Equal(t, 1, logs.count("hook overran its timeout; killed hook=prestop"))
	assert.Equal(t, 1, logs.count("hook ended hook=prestop"))
	assert.Equal(t, 1, logs.count("signal=SIGKILL killed=true"))
}

func TestPreStopIsBoundedByHalfTheStopTimeout(t *testing.T) {
	out, logs := newOutput(t), newLogs()
	ctx, cancel := context.WithCancel(context.Background())
	done := start(t, ctx, child("print-signals"), initproc.Options{
		Stdout: out.w, Logger: logs.logger(), PreStop: child("sleep"), StopTimeout: 4 * time.Second,
	})
	out.waitFor(t, "ready")
	cancel()
	r := wait(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, 0, r.code, "logs:\n%s", strings.Join(logs.records, "\n"))
	assert.Contains(t, strings.Join(logs.records, "\n"), "hook started hook=prestop")
	assert.Contains(t, strings.Join(logs.records, "\n"), "timeout=2s")
}

func TestPostStopRunsAfterTheChildAndCannotChangeTheStatus(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hook    []string
		overran int
	}{
		{"exits 7", child("exit", 7), 0},
		{"killed by a signal", child("kill-self", 15), 0},
		{"overruns", child("sleep"), 1},
		{"not found", []string{"/no/such/hook"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := newLogs()
			done := start(t, context.Background(), child("exit", 3), initproc.Options{
				Stdout: devNull(t), Logger: logs.logger(), PostStop: tc.hook, HookTimeout: 300 * time.Millisecond,
			})
			r := wait(t, done)
			require.NoError(t, r.err)
			assert.Equal(t, 3, r.code)
			assert.Equal(t, tc.overran, logs.count("hook overran its timeout; killed hook=poststop"))
			all := strings.Join(logs.records, "\n")
			assert.Less(t, strings.Index(all, "exited pid="), strings.Index(all, "hook=poststop"), "poststop runs after the child exited:\n%s", all)
			_, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			assert.ErrorIs(t, err, syscall.ECHILD, "a child is left after Run returned")
		})
	}
}

func devNull(t *testing.T) *os.File {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestCredentialDropsTheChildNotTheInit(t *testing.T) {
	needs.Root(t)
	exe := worldExecutable(t)
	out := newOutput(t)
	cred := &syscall.Credential{Uid: 1000, Gid: 1001, Groups: []uint32{1001, 27}}
	done := start(t, context.Background(), []string{exe, "status"}, initproc.Options{
		Stdout: out.w, Credential: cred,
	})
	r := wait(t, done)
	require.NoError(t, r.err)
	require.Equal(t, 0, r.code)
	lines := out.rest()
	require.Len(t, lines, 1)
	for _, want := range []string{"uid=1000 ", "gid=1001 ", "groups=[27 1001] ", "capeff=0000000000000000 ", "nonewprivs=1"} {
		assert.Contains(t, lines[0], want)
	}
	// The thread that forked for the child was restricted and ends with
	// its goroutine (or, were it the main thread, is wedged and runs no Go
	// code again); the threads the init goes on running on keep their
	// privileges. Look at the one this goroutine is pinned to.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	self, err := os.ReadFile("/proc/thread-self/status")
	require.NoError(t, err)
	assert.Contains(t, string(self), "NoNewPrivs:\t0", "the init's thread kept no_new_privs")
	assert.NotContains(t, string(self), "CapBnd:\t0000000000000000", "the init's thread lost its bounding set")
}

// worldExecutable copies the test binary where any user can run it.
func worldExecutable(t *testing.T) string {
	dir, err := os.MkdirTemp("", "initproc-drop-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	src, err := os.Open(os.Args[0])
	require.NoError(t, err)
	defer src.Close()
	exe := filepath.Join(dir, "testchild")
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
	return exe
}

func TestSignalsDuringPreStopAreHeldThenForwardedInOrder(t *testing.T) {
	logs := newLogs()
	out := newOutput(t)
	caught, started := logs.when("all signals caught"), logs.when("hook started")
	// The child exits on SIGUSR2 only, so it reports both held signals
	// whatever order its runtime hands them over in.
	done := start(t, context.Background(), child("print-signals", int(syscall.SIGUSR2)), initproc.Options{
		Stdout: out.w, Logger: logs.logger(), PreStop: child("sleep"), HookTimeout: time.Second, StopTimeout: 4 * time.Second,
	})
	out.waitFor(t, "ready")
	waitClosed(t, caught, "catching every signal")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	waitClosed(t, started, "the prestop hook starting")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	out.waitFor(t, "signal 15")
	out.waitFor(t, "signal 10")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGUSR2))
	r := wait(t, done)
	require.NoError(t, r.err)
	assert.Equal(t, 0, r.code)
	all := strings.Join(logs.records, "\n")
	overran := strings.Index(all, "hook overran its timeout; killed hook=prestop")
	term, usr1 := strings.Index(all, "signal forwarded signal=SIGTERM"), strings.Index(all, "signal forwarded signal=SIGUSR1")
	require.True(t, overran >= 0 && term >= 0 && usr1 >= 0, all)
	assert.Less(t, overran, term, "nothing was forwarded while the hook ran:\n%s", all)
	assert.Less(t, term, usr1, "forwarded in the order received:\n%s", all)
}
