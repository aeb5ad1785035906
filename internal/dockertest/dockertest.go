// Package dockertest builds, runs and throws away Docker images and
// containers for tests, through the docker CLI (the tool users drive), so
// that a test proves what a user would see.
//
// # Guarantees
//
//   - Every docker command runs under a deadline (CommandTimeout unless the
//     caller's context says less); a command that does not finish by then
//     is killed and fails the test with its output.
//   - Build tags each image uniquely and labels it so that its ID is its
//     own; when the test ends the image is removed with every container
//     created from it, whoever started them (docker rm -f, docker rmi -f).
//   - StartDaemon starts a private dockerd (own data root, exec root,
//     socket and containerd) and stops it and removes its directories when
//     the test ends.
//   - Debootstrap makes a Debian root image once per package list and keeps
//     it across runs (entrypoint-e2e/NAME:SUITE-HASH); Lock makes test
//     processes take turns on what they share.
//   - Nothing sleeps: waits are handshakes (a line in the logs, docker
//     wait, a health event) or, for a daemon coming up, polls under a
//     deadline.
//
// Tests call needs.Docker(t) before anything here.
package dockertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// CommandTimeout bounds every docker command run by this package.
const CommandTimeout = 2 * time.Minute

// Engine is a Docker engine reached with the docker CLI. Host is its -H
// address; the zero Engine is the CLI's default (DOCKER_HOST or the local
// socket).
type Engine struct {
	Host string
}

// Result is what a finished docker command left: its output and its exit
// status.
type Result struct {
	Args   []string
	Stdout string
	Stderr string
	Code   int
}

func (r Result) String() string {
	return fmt.Sprintf("docker %s: exit %d\nstdout:\n%s\nstderr:\n%s",
		strings.Join(r.Args, " "), r.Code, r.Stdout, r.Stderr)
}

// Command is `docker [-H host] args...`, killed when ctx ends.
func (e Engine) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "docker", e.args(args...)...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func (e Engine) args(args ...string) []string {
	if e.Host == "" {
		return args
	}
	return append([]string{"-H", e.Host}, args...)
}

// Docker runs `docker args...` and returns its output and status, whatever
// the status; it fails the test only when the command cannot run or
// misses its deadline.
func (e Engine) Docker(t testing.TB, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := e.Command(ctx, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Args: e.args(args...), Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("dockertest: deadline %v exceeded: %v", CommandTimeout, r)
	case err != nil && !errors.As(err, &exit):
		t.Fatalf("dockertest: %v: %v", err, r)
	}
	return r
}

// Output runs `docker args...`, requires it to exit 0 and returns its
// standard output without surrounding space.
func (e Engine) Output(t testing.TB, args ...string) string {
	t.Helper()
	r := e.Docker(t, args...)
	if r.Code != 0 {
		t.Fatalf("dockertest: %v", r)
	}
	return strings.TrimSpace(r.Stdout)
}
