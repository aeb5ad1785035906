package main

import (
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineIndex is the index of the first line of out holding s, -1 if none.
func lineIndex(out, s string) int {
	for i, line := range strings.Split(out, "\n") {
		if strings.Contains(line, s) {
			return i
		}
	}
	return -1
}

func TestPreludePreStopRunsBeforeTheChildGetsSIGTERM(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	p := startPrelude(t, []string{"HOOK=drained", "ENTRYPOINT_PRESTOP=" + bins.testchild + " env HOOK"}, "--", bins.testchild, "print-signals")
	p.until(t, "ready")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, out := p.wait(t)
	require.Equal(t, 0, code, out)
	hook, signal := lineIndex(out, "HOOK=drained"), lineIndex(out, "signal 15")
	require.NotEqual(t, -1, hook, out)
	require.NotEqual(t, -1, signal, out)
	assert.Less(t, hook, signal, "the hook ran before the child got SIGTERM:\n%s", out)
	assert.Less(t, lineIndex(out, `"msg":"hook ended","hook":"prestop"`), signal, out)
}

func TestPreludePreStopOverrunIsKilledAndNamed(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	p := startPrelude(t, nil, "--hook-timeout", "500ms", "--prestop", bins.testchild+" sleep", "--", bins.testchild, "print-signals")
	p.until(t, "ready")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, out := p.wait(t)
	require.Equal(t, 0, code, "the child still got SIGTERM and exited 0:\n%s", out)
	assert.Contains(t, out, `"msg":"hook overran its timeout; killed","hook":"prestop"`)
	assert.Contains(t, out, "signal 15")
}

func TestPreludePostStopCannotChangeTheExitStatus(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	for _, tc := range []struct {
		name, hook, want string
	}{
		{"fails", bins.testchild + " exit 9", `"msg":"hook ended","hook":"poststop"`},
		{"overruns", bins.testchild + " sleep", `"msg":"hook overran its timeout; killed","hook":"poststop"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out := runPrelude(t, []string{"ENTRYPOINT_POSTSTOP=" + tc.hook, "ENTRYPOINT_HOOK_TIMEOUT=500ms"}, "--", bins.testchild, "exit", "3")
			assert.Equal(t, 3, code, out)
			assert.Contains(t, out, tc.want)
			assert.Less(t, lineIndex(out, `"msg":"exited"`), lineIndex(out, `"hook":"poststop"`), "poststop runs after the child:\n%s", out)
		})
	}
}

func TestPreludePreStartRunsFirstAndItsFailureStopsTheStart(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	code, out := runPrelude(t, []string{"STEP=prestart", "ENTRYPOINT_PRESTART=" + bins.testchild + " env STEP"}, "--", bins.testchild, "env", "STARTED")
	require.Equal(t, 0, code, out)
	assert.Less(t, lineIndex(out, "STEP=prestart"), lineIndex(out, "STARTED unset"), out)
	assert.Contains(t, out, `"msg":"prestart hook done"`)

	code, out = runPrelude(t, []string{"ENTRYPOINT_PRESTART=" + bins.testchild + " exit 4"}, "--", bins.testchild, "env", "STARTED")
	assert.Equal(t, 4, code, out)
	assert.NotContains(t, out, "STARTED")
	assert.Contains(t, out, "prestart hook")
}

func TestPreludeHealthcheck(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	addr := freeAddr(t)
	code, out := runPrelude(t, nil, "healthcheck", "--timeout", "2s", "http://"+addr+"/health")
	assert.Equal(t, 1, code, out)
	assert.Equal(t, 1, strings.Count(out, "\n"), "one line: %q", out)
	assert.Contains(t, out, "unhealthy: ")

	srv := startPrelude(t, nil, "--", bins.testchild, "serve", addr)
	srv.until(t, "serving")
	host, port, _ := strings.Cut(addr, ":")
	require.Equal(t, "127.0.0.1", host)
	code, out = runPrelude(t, []string{"PORT=" + port}, "healthcheck")
	assert.Equal(t, 0, code, "default target http://127.0.0.1:$PORT/health: %s", out)
	assert.Equal(t, "healthy: http://"+addr+"/health\n", out)
	code, out = runPrelude(t, nil, "healthcheck", "tcp://"+addr)
	assert.Equal(t, 0, code, out)

	require.NoError(t, srv.cmd.Process.Signal(syscall.SIGUSR1))
	srv.until(t, "unhealthy")
	code, out = runPrelude(t, []string{"PORT=" + port}, "healthcheck")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "503")
	require.NoError(t, srv.cmd.Process.Signal(syscall.SIGTERM))
	code, _ = srv.wait(t)
	assert.Equal(t, 0, code)
}
