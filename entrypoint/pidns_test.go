package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/needs"
)

// These tests run the real binary as PID 1 of a new PID namespace
// (unshare --pid --fork --mount-proc), without Docker.

// unshareInit is `unshare --pid --fork --mount-proc ENTRYPOINT -- TESTCHILD args...`.
func unshareInit(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	needs.PIDNamespace(t)
	bins := e2eBins(t)
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"--pid", "--fork", "--mount-proc", bins.entrypoint, "--", bins.testchild}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func TestPIDNamespaceExitStatus(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"exit", "3"}, 3},
		{[]string{"kill-self", "15"}, 143},
		{[]string{"spawn-orphans", "10000"}, 0},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := unshareInit(t, ctx, tc.args...).CombinedOutput()
			require.Equal(t, tc.code, exitStatus(t, err), "output:\n%s", out)
		})
	}
}

func TestPIDNamespaceForwardsSIGTERMToTheChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := unshareInit(t, ctx, "print-signals")
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	cmd.Stdout, cmd.Stderr = w, w
	require.NoError(t, cmd.Start())
	w.Close()
	defer cmd.Wait()
	defer cancel()

	var out bytes.Buffer
	readUntil(t, r, &out, "ready")
	init := childOf(t, cmd.Process.Pid)
	require.NoError(t, syscall.Kill(init, syscall.SIGTERM))
	readUntil(t, r, &out, "signal 15")
	require.Equal(t, 0, exitStatus(t, cmd.Wait()), "output:\n%s", out.String())
}

// readUntil reads r into out until out holds want; the caller's context
// bounds it (its end kills the writers and so closes r).
func readUntil(t *testing.T, r *os.File, out *bytes.Buffer, want string) {
	t.Helper()
	buf := make([]byte, 4096)
	for !strings.Contains(out.String(), want) {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err != nil && !strings.Contains(out.String(), want) {
			t.Fatalf("%q never came (%v); output:\n%s", want, err, out.String())
		}
	}
}

// childOf is the one child of pid: the init unshare forked.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	p := strconv.Itoa(pid)
	b, err := os.ReadFile("/proc/" + p + "/task/" + p + "/children")
	require.NoError(t, err)
	kids := strings.Fields(string(b))
	require.Len(t, kids, 1, "children of unshare (%d)", pid)
	child, err := strconv.Atoi(kids[0])
	require.NoError(t, err)
	return child
}

// exitStatus is the exit code in err from exec.Cmd.Run or Wait (0 for
// nil); it fails the test when the command did not exit normally.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	}
	t.Fatalf("the command did not exit normally: %v", err)
	return -1
}
