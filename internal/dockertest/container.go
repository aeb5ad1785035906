package dockertest

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Container is a container started in the background by Image.Start.
type Container struct {
	ID     string
	Engine Engine
}

// Run runs `docker run --rm FLAGS... IMAGE ARGS...` to its end and returns
// its output and status: the container's exit status, or docker's own
// (125 and up) when it could not run it.
func (img *Image) Run(t testing.TB, flags []string, args ...string) Result {
	t.Helper()
	return img.Engine.Docker(t, img.runArgs(append([]string{"--rm"}, flags...), args)...)
}

// RunArgs is the argument list of `docker run FLAGS... IMAGE ARGS...` (the
// engine's -H included), for tests that start the command themselves,
// e.g. on a terminal.
func (img *Image) RunArgs(flags []string, args ...string) []string {
	return img.Engine.args(img.runArgs(flags, args)...)
}

func (img *Image) runArgs(flags, args []string) []string {
	all := append([]string{"run"}, flags...)
	all = append(all, img.Ref)
	return append(all, args...)
}

// Start runs `docker run --detach FLAGS... IMAGE ARGS...` and returns the
// container, removed with the image when the test ends.
func (img *Image) Start(t testing.TB, flags []string, args ...string) *Container {
	t.Helper()
	id := img.Engine.Output(t, img.runArgs(append([]string{"--detach"}, flags...), args)...)
	return &Container{ID: id, Engine: img.Engine}
}

// WaitLog follows the container's logs (stdout and stderr) until want
// appears, and fails the test with the logs so far if it does not within
// timeout or the logs end first.
func (c *Container) WaitLog(t testing.TB, want string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	defer r.Close()
	cmd := c.Engine.Command(ctx, "logs", "--follow", c.ID)
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		t.Fatalf("dockertest: docker logs: %v", err)
	}
	defer cmd.Wait()
	defer cancel()
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	for !bytes.Contains(seen.Bytes(), []byte(want)) {
		n, err := r.Read(buf)
		seen.Write(buf[:n])
		if err != nil && !bytes.Contains(seen.Bytes(), []byte(want)) {
			t.Fatalf("dockertest: %q not in the logs of %s within %v (%v); logs:\n%s", want, c.ID, timeout, err, seen.String())
		}
	}
}

// Logs is the container's output so far, stdout then stderr.
func (c *Container) Logs(t testing.TB) string {
	t.Helper()
	r := c.Engine.Docker(t, "logs", c.ID)
	if r.Code != 0 {
		t.Fatalf("dockertest: %v", r)
	}
	return r.Stdout + r.Stderr
}

// Wait waits for the container to exit (docker wait) and returns its exit
// status.
func (c *Container) Wait(t testing.TB) int {
	t.Helper()
	return c.atoi(t, c.Engine.Output(t, "wait", c.ID))
}

// ExitCode is the exit status docker recorded for the container
// (.State.ExitCode): 137 when it was killed with SIGKILL.
func (c *Container) ExitCode(t testing.TB) int {
	t.Helper()
	return c.atoi(t, c.Engine.Output(t, "inspect", "--format", "{{.State.ExitCode}}", c.ID))
}

func (c *Container) atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("dockertest: container %s: %q is no number: %v", c.ID, s, err)
	}
	return n
}

// Stop runs `docker stop --time GRACE` (SIGTERM, SIGKILL after grace) and
// returns how long docker took.
func (c *Container) Stop(t testing.TB, grace time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	c.Engine.Output(t, "stop", "--time", strconv.Itoa(int(grace/time.Second)), c.ID)
	return time.Since(start)
}

// WaitHealthy follows the engine's events for the container from its
// creation on (docker events --since) until its health check reports
// healthy, and fails the test with the logs when it reports unhealthy,
// when the container ends first, or when timeout passes.
func (c *Container) WaitHealthy(t testing.TB, timeout time.Duration) {
	t.Helper()
	created := c.Engine.Output(t, "inspect", "--format", "{{.Created}}", c.ID)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	events := c.Engine.Command(ctx, "events", "--since", created, "--filter", "container="+c.ID,
		"--filter", "event=health_status", "--filter", "event=die", "--format", "{{.Status}}")
	out, err := events.StdoutPipe()
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	if err := events.Start(); err != nil {
		t.Fatalf("dockertest: docker events: %v", err)
	}
	defer events.Wait()
	defer cancel()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		switch sc.Text() {
		case "health_status: healthy":
			return
		case "health_status: unhealthy", "die":
			t.Fatalf("dockertest: container %s: %s; logs:\n%s", c.ID, sc.Text(), c.Logs(t))
		}
	}
	t.Fatalf("dockertest: container %s not healthy within %v; logs:\n%s", c.ID, timeout, c.Logs(t))
}

// Process is a process of a running container, as docker top shows it.
type Process struct {
	PID, UID int
	Command  string
}

// Top lists the container's processes with their user IDs (docker top
// CONTAINER -o pid,uid,comm): how a test sees the user of a process in an
// image that has no `id`.
func (c *Container) Top(t testing.TB) []Process {
	t.Helper()
	lines := strings.Split(c.Engine.Output(t, "top", c.ID, "-o", "pid,uid,comm"), "\n")
	var ps []Process
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("dockertest: docker top %s: unexpected line %q", c.ID, line)
		}
		ps = append(ps, Process{PID: c.atoi(t, f[0]), UID: c.atoi(t, f[1]), Command: f[2]})
	}
	return ps
}
