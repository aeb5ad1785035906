// Package needs lets a test declare what the machine must have — root, a
// PID namespace, a Docker engine, a command on PATH — and skips it loudly
// when the machine lacks it.
//
// With ENTRYPOINT_TEST_REQUIRE=all (CI sets it) a missing requirement fails
// the test instead, so nothing that needs root or Docker skips silently.
// ENTRYPOINT_TEST_REQUIRE may also list requirement names
// (root,docker,unshare,cmd:tini) to make only those mandatory.
package needs

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// missing skips or fails t for requirement name, explaining why.
func missing(t testing.TB, name, why string) {
	t.Helper()
	if required(name) {
		t.Fatalf("requirement %q not met (ENTRYPOINT_TEST_REQUIRE=%s): %s",
			name, os.Getenv("ENTRYPOINT_TEST_REQUIRE"), why)
	}
	t.Skipf("SKIP: requirement %q not met: %s (set ENTRYPOINT_TEST_REQUIRE=all to make this a failure)", name, why)
}

func required(name string) bool {
	for _, r := range strings.Split(os.Getenv("ENTRYPOINT_TEST_REQUIRE"), ",") {
		r = strings.TrimSpace(r)
		if r == "all" || r == name || (r == "cmd" && strings.HasPrefix(name, "cmd:")) {
			return true
		}
	}
	return false
}

// Root requires the test to run as uid 0.
func Root(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "root", "the test must run as root (uid 0)")
	}
}

// Command requires name on PATH and returns its path.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "cmd:"+name, name+" is not on PATH (apt-get install "+name+")")
	}
	return p
}

var unshareOnce = sync.OnceValue(func() string {
	if _, err := exec.LookPath("unshare"); err != nil {
		return "unshare is not on PATH (apt-get install util-linux)"
	}
	out, err := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").CombinedOutput()
	if err != nil {
		return "unshare --pid --fork --mount-proc true failed: " + strings.TrimSpace(string(out)) + ": " + err.Error()
	}
	return ""
})

// PIDNamespace requires that `unshare --pid --fork --mount-proc` works here
// (root, and a kernel that allows it).
func PIDNamespace(t testing.TB) {
	t.Helper()
	Root(t)
	if why := unshareOnce(); why != "" {
		missing(t, "unshare", why)
	}
}

var dockerOnce = sync.OnceValue(func() string {
	if _, err := exec.LookPath("docker"); err != nil {
		return "the docker CLI is not on PATH (apt-get install docker.io)"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return "no Docker engine answers (start dockerd): " + strings.TrimSpace(string(out))
	}
	return ""
})

// Docker requires a Docker engine that answers `docker version`.
func Docker(t testing.TB) {
	t.Helper()
	if why := dockerOnce(); why != "" {
		missing(t, "docker", why)
	}
}
