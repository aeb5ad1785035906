package dockertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// DaemonTimeout bounds how long StartDaemon waits for its dockerd to
// answer, and how long the cleanup waits for it to stop.
const DaemonTimeout = 60 * time.Second

// StartDaemon starts a private dockerd as root with flags added to its own
// data root, exec root, pid file, socket and daemon.json, no bridge and no
// iptables rules, in a network namespace of its own (a dockerd started
// with no bridge deletes docker0 from its namespace, which in the host's
// would cut the default engine's containers off), waits until it answers,
// and returns it as an Engine. Its containers have no network but their
// loopback (docker run --network none). It
// stops the daemon (SIGTERM, then SIGKILL after DaemonTimeout) and removes
// its directories when the test ends; on failure the test shows the tail
// of the daemon's log.
func StartDaemon(t testing.TB, flags ...string) Engine {
	t.Helper()
	// Short: the socket path must fit in sun_path (108 bytes).
	dir, err := os.MkdirTemp("", "dockertest-")
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	config := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(config, []byte("{}\n"), 0o644); err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	log, err := os.Create(filepath.Join(dir, "dockerd.log"))
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	defer log.Close()
	e := Engine{Host: "unix://" + filepath.Join(dir, "docker.sock")}
	args := append([]string{
		"--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"),
		"--config-file", config,
		"--host", e.Host,
		"--bridge", "none", "--iptables=false", "--ip6tables=false",
		"--cgroup-parent", "dockertest",
	}, flags...)
	cmd := exec.Command("dockerd", args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Cloneflags: syscall.CLONE_NEWNET}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("dockertest: start dockerd: %v", err)
	}
	t.Cleanup(func() { stopDaemon(t, cmd, dir) })
	if err := waitDaemon(e, cmd); err != nil {
		t.Fatalf("dockertest: dockerd %s: %v; log tail:\n%s", strings.Join(args, " "), err, tail(filepath.Join(dir, "dockerd.log")))
	}
	return e
}

// waitDaemon polls `docker version` until the daemon answers, it exits, or
// DaemonTimeout passes.
func waitDaemon(e Engine, daemon *exec.Cmd) error {
	ctx, cancel := context.WithTimeout(context.Background(), DaemonTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		probe := e.Command(ctx, "version", "--format", "{{.Server.Version}}")
		if probe.Run() == nil {
			return nil
		}
		if err := syscall.Kill(daemon.Process.Pid, 0); err != nil {
			return fmt.Errorf("exited before answering: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer within %v", DaemonTimeout)
		case <-tick.C:
		}
	}
}

// stopDaemon stops the daemon, waits for it and removes its directories.
func stopDaemon(t testing.TB, daemon *exec.Cmd, dir string) {
	daemon.Process.Signal(syscall.SIGTERM)
	done := time.AfterFunc(DaemonTimeout, func() { daemon.Process.Kill() })
	err := daemon.Wait()
	if !done.Stop() {
		t.Errorf("dockertest: dockerd did not stop within %v of SIGTERM (killed); log tail:\n%s", DaemonTimeout, tail(filepath.Join(dir, "dockerd.log")))
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Errorf("dockertest: dockerd: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Errorf("dockertest: remove the daemon's directory: %v", err)
	}
}

// tail is the end of a log file, for failure messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}
