package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/initproc"
)

// These tests run the real binary as an ordinary process (a subreaper, as
// on a laptop or in CI) and look at what a user sees: its output, its
// exit status, what the child receives.

// liveInit is the binary running a child, its output read line by line.
type liveInit struct {
	cmd   *exec.Cmd
	lines chan string
	seen  []string
}

// startInit runs `BINARY args...` (argv0 names the personality) with env
// added to the test's environment, its stdout and stderr on one pipe.
func startInit(t *testing.T, argv0 string, env []string, args ...string) *liveInit {
	t.Helper()
	return launch(t, argv0, append(os.Environ(), env...), args...)
}

// launch runs `BINARY args...` with exactly the environment environment.
// The run, and the reading of its output, end a minute after the start at
// the latest, even when a descendant keeps the pipe open.
func launch(t *testing.T, argv0 string, environment []string, args ...string) *liveInit {
	t.Helper()
	bins := e2eBins(t)
	bin := bins.entrypoint
	if argv0 != "entrypoint" {
		bin = filepath.Join(t.TempDir(), argv0)
		require.NoError(t, os.Symlink(bins.entrypoint, bin))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = environment
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = w, w
	require.NoError(t, cmd.Start())
	w.Close()
	require.NoError(t, r.SetReadDeadline(time.Now().Add(time.Minute)))
	l := &liveInit{cmd: cmd, lines: make(chan string, 1024)}
	go func() {
		defer close(l.lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.lines <- sc.Text()
		}
		r.Close()
	}()
	t.Cleanup(func() { cancel(); cmd.Wait() })
	return l
}

// waitFor returns once a line containing want has been printed.
func (l *liveInit) waitFor(t *testing.T, want string) {
	t.Helper()
	l.waitUntil(t, want, func(line string) bool { return strings.Contains(line, want) })
}

// waitForLine waits, as waitFor does, for a line that is exactly want:
// "ready" must not be taken for "grandchild ready".
func (l *liveInit) waitForLine(t *testing.T, want string) {
	t.Helper()
	l.waitUntil(t, want, func(line string) bool { return line == want })
}

func (l *liveInit) waitUntil(t *testing.T, want string, match func(string) bool) {
	t.Helper()
	for _, line := range l.seen {
		if match(line) {
			return
		}
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatalf("output ended before %q:\n%s", want, strings.Join(l.seen, "\n"))
			}
			l.seen = append(l.seen, line)
			if match(line) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q within 30s:\n%s", want, strings.Join(l.seen, "\n"))
		}
	}
}

// wait returns the exit status and every line printed.
func (l *liveInit) wait(t *testing.T) (int, []string) {
	t.Helper()
	for line := range l.lines {
		l.seen = append(l.seen, line)
	}
	return exitStatus(t, l.cmd.Wait()), l.seen
}

func (l *liveInit) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, l.cmd.Process.Signal(sig))
}

func count(lines []string, substr string) int {
	n := 0
	for _, line := range lines {
		if strings.Contains(line, substr) {
			n++
		}
	}
	return n
}

func TestBinaryForwardsEverySignalOnce(t *testing.T) {
	bins := e2eBins(t)
	l := startInit(t, "entrypoint", []string{"ENTRYPOINT_LOG_LEVEL=debug"}, bins.testchild, "print-signals")
	l.waitForLine(t, "ready")
	l.waitFor(t, "all signals caught")
	for _, sig := range initproc.Forwarded() {
		if sig == syscall.SIGTERM {
			continue
		}
		l.signal(t, sig)
		l.waitFor(t, fmt.Sprintf("signal %d", sig))
	}
	l.signal(t, syscall.SIGTERM)
	code, lines := l.wait(t)
	assert.Equal(t, 0, code)
	for _, sig := range initproc.Forwarded() {
		assert.Equal(t, 1, countLine(lines, fmt.Sprintf("signal %d", sig)), "%s delivered once", initproc.SignalName(sig))
	}
}

// countLine counts the lines equal to line.
func countLine(lines []string, line string) int {
	n := 0
	for _, l := range lines {
		if l == line {
			n++
		}
	}
	return n
}

func TestBinaryDropsFaultSignalsSentByKill(t *testing.T) {
	bins := e2eBins(t)
	l := startInit(t, "entrypoint", []string{"ENTRYPOINT_LOG_LEVEL=debug"}, bins.testchild, "print-signals")
	l.waitForLine(t, "ready")
	l.waitFor(t, "all signals caught")
	for _, sig := range []syscall.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGSYS, syscall.SIGPIPE} {
		l.signal(t, sig)
		l.waitFor(t, `"msg":"signal not forwarded","signal":"`+initproc.SignalName(sig)+`"`)
	}
	l.signal(t, syscall.SIGTERM)
	code, lines := l.wait(t)
	assert.Equal(t, 0, code, "the init survived and the child exited on SIGTERM")
	assert.Equal(t, 1, countLine(lines, "signal 15"))
	assert.Equal(t, 7, count(lines, "signal not forwarded"))
}

func TestBinaryLogsOneLineAtStartAndOneAtExit(t *testing.T) {
	bins := e2eBins(t)
	code, lines := startInit(t, "entrypoint", nil, bins.testchild, "exit", "7").wait(t)
	assert.Equal(t, 7, code)
	require.Len(t, lines, 2, "%q", lines)
	var start, exit map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &start))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &exit))
	assert.Equal(t, "started", start["msg"])
	assert.Equal(t, bins.testchild, start["cmd"])
	assert.Equal(t, "exited", exit["msg"])
	assert.EqualValues(t, 7, exit["code"])
	assert.NotEmpty(t, exit["duration"])
}

func TestBinaryRewriteAndGroupFlags(t *testing.T) {
	bins := e2eBins(t)
	for _, tc := range []struct {
		name, argv0 string
		env, flags  []string
		group       bool
	}{
		{"entrypoint -g", "entrypoint", nil, []string{"-g"}, true},
		{"entrypoint", "entrypoint", nil, nil, false},
		{"tini TINI_KILL_PROCESS_GROUP", "tini", []string{"TINI_KILL_PROCESS_GROUP=1", "TINI_SUBREAPER=1"}, nil, true},
		{"dumb-init (setsid)", "dumb-init", nil, nil, true},
		{"dumb-init -c", "dumb-init", nil, []string{"-c"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, tc.flags...), "-r", "USR2:USR1", bins.testchild, "group-print-signals")
			if tc.argv0 == "tini" {
				args = append(append([]string{}, tc.flags...), "--", bins.testchild, "group-print-signals")
			}
			env := append(tc.env, "ENTRYPOINT_SUBREAPER=1", "ENTRYPOINT_LOG_LEVEL=debug", "TINI_VERBOSITY=3")
			l := startInit(t, tc.argv0, env, args...)
			l.waitFor(t, "grandchild ready")
			l.waitForLine(t, "ready")
			l.waitFor(t, "all signals caught")
			sig, want := syscall.SIGUSR2, "signal 10" // rewritten to USR1
			if tc.argv0 == "tini" {
				sig, want = syscall.SIGUSR1, "signal 10"
			}
			l.signal(t, sig)
			l.waitFor(t, want)
			if tc.group {
				l.waitFor(t, "grandchild "+want)
			}
			l.signal(t, syscall.SIGTERM)
			l.waitFor(t, "grandchild signal 15")
			code, lines := l.wait(t)
			assert.Equal(t, 0, code)
			assert.Zero(t, countLine(lines, "signal 12"), "USR2 must arrive rewritten")
			if !tc.group {
				assert.Zero(t, countLine(lines, "grandchild "+want))
			}
		})
	}
}

func TestBinaryStopTimeoutNamesWhatItKills(t *testing.T) {
	bins := e2eBins(t)
	l := startInit(t, "entrypoint", nil, "--stop-timeout", "300ms", bins.testchild, "ignore-term")
	l.waitForLine(t, "ready")
	child := childrenOf(t, l.cmd.Process.Pid)
	l.signal(t, syscall.SIGTERM)
	code, lines := l.wait(t)
	assert.Equal(t, 137, code)
	require.Len(t, child, 1)
	assert.Equal(t, 1, count(lines, "killed after the stop timeout"), "%q", lines)
	assert.Equal(t, 1, count(lines, `"pid":`+child[0]+`,"cmd":"testchild","timeout":"300ms"`), "%q", lines)
}

// childrenOf lists the children of pid, whichever of its threads forked them.
func childrenOf(t *testing.T, pid int) []string {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	require.NoError(t, err)
	var kids []string
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		kids = append(kids, strings.Fields(string(b))...)
	}
	return kids
}

func TestBinaryDoesNotPinTheDirectoryOrInheritedDescriptors(t *testing.T) {
	bins := e2eBins(t)
	dir := t.TempDir()
	extra, err := os.Open(dir) // a descriptor the init inherits (fd 3)
	require.NoError(t, err)
	defer extra.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bins.entrypoint, bins.testchild, "sleep")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.Dir = dir
	cmd.ExtraFiles = []*os.File{extra}
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout = w
	require.NoError(t, cmd.Start())
	w.Close()
	defer cmd.Wait()
	sc := bufio.NewScanner(r)
	for sc.Scan() && !strings.Contains(sc.Text(), "ready") {
	}
	initPID := cmd.Process.Pid
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", initPID))
	require.NoError(t, err)
	assert.Equal(t, "/", cwd, "the init left the child's directory")
	_, err = os.Readlink(fmt.Sprintf("/proc/%d/fd/3", initPID))
	assert.Error(t, err, "the init closed the descriptor it inherited")
	kids := childrenOf(t, initPID)
	require.Len(t, kids, 1)
	child := kids[0]
	childCwd, _ := os.Readlink("/proc/" + child + "/cwd")
	assert.Equal(t, dir, childCwd, "the child kept its directory")
	_, err = os.Readlink("/proc/" + child + "/fd/3")
	assert.NoError(t, err, "the child kept the inherited descriptor")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
}

func TestBinaryParentDeathSignalIsForwarded(t *testing.T) {
	bins := e2eBins(t)
	// sh is the init's parent; killing it makes the kernel send the
	// init -p's signal, which it forwards like any other.
	script := fmt.Sprintf("%s -p USR1 -- %s print-signals 10 & wait", bins.entrypoint, bins.testchild)
	l := startInit(t, "entrypoint", nil, "--", "/bin/sh", "-c", script)
	l.waitForLine(t, "ready")
	sh := childrenOf(t, l.cmd.Process.Pid)
	require.Len(t, sh, 1)
	pid, err := strconv.Atoi(sh[0])
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	l.waitFor(t, "signal 10")
	code, _ := l.wait(t)
	assert.Equal(t, 128+int(syscall.SIGKILL), code, "the outer init reports its child sh killed")
}
