package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/internal/ptytest"
)

// These tests run the real binary as PID 1 of FROM scratch containers and
// look only at what a user sees: docker's exit status, the logs, docker
// stop's outcome, a terminal.

// e2eBinaries are the static binaries the end-to-end tests run.
type e2eBinaries struct{ entrypoint, testchild string }

// buildE2EBinaries builds them once per test run, into a directory named
// after the module's path, so that repeated runs reuse it and leave no
// litter behind.
var buildE2EBinaries = sync.OnceValues(func() (e2eBinaries, error) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return e2eBinaries{}, fmt.Errorf("go list -m: %w", err)
	}
	mod := strings.TrimSpace(string(root))
	sum := sha256.Sum256([]byte(mod))
	dir := filepath.Join(os.TempDir(), "entrypoint-e2e-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return e2eBinaries{}, err
	}
	bins := e2eBinaries{entrypoint: filepath.Join(dir, "entrypoint"), testchild: filepath.Join(dir, "testchild")}
	if err := goBuild(mod, bins.entrypoint, "-trimpath", "./entrypoint"); err != nil {
		return e2eBinaries{}, err
	}
	return bins, goBuild(mod, bins.testchild, "./internal/testchild/cmd/testchild")
})

// goBuild builds a static binary to a temporary name and renames it into
// place, so that a concurrent run never sees half a file.
func goBuild(mod, out string, args ...string) error {
	tmp := fmt.Sprintf("%s.%d", out, os.Getpid())
	cmd := exec.Command("go", append([]string{"build", "-o", tmp}, args...)...)
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	return os.Rename(tmp, out)
}

func e2eBins(t *testing.T) e2eBinaries {
	t.Helper()
	bins, err := buildE2EBinaries()
	require.NoError(t, err)
	return bins
}

// applets are the busybox commands the test image links.
var applets = []string{"sh", "sleep", "id", "echo", "cat", "kill", "ps", "setsid"}

// testImage builds the image every Docker test runs: FROM scratch, the
// binary as ENTRYPOINT, static busybox and the test child.
func testImage(t *testing.T) *dockertest.Image {
	t.Helper()
	needs.Docker(t)
	bins := e2eBins(t)
	busybox := dockertest.Static(t, needs.Command(t, "busybox"))
	links := map[string]string{}
	for _, a := range applets {
		links["bin/"+a] = "busybox"
	}
	return dockertest.Build(t, dockertest.Context{
		Dockerfile: `FROM scratch
COPY bin/ /bin/
COPY entrypoint /usr/local/bin/entrypoint
COPY testchild /testchild
ENTRYPOINT ["/usr/local/bin/entrypoint"]
`,
		Files: map[string]string{"bin/busybox": busybox, "entrypoint": bins.entrypoint, "testchild": bins.testchild},
		Links: links,
	})
}

// offline: no test needs a network, and containers without one start faster.
var offline = []string{"--network", "none"}

func TestDockerExitStatus(t *testing.T) {
	img := testImage(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"exit code", []string{"--", "sh", "-c", "exit 3"}, 3, ""},
		{"killed by SIGTERM", []string{"--", "/testchild", "kill-self", "15"}, 143, ""},
		{"missing command", []string{"--", "/no/such/command"}, 127, "entrypoint: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := img.Run(t, offline, tc.args...)
			require.Equal(t, tc.code, r.Code, "%v", r)
			require.Contains(t, r.Stdout+r.Stderr, tc.out)
		})
	}
}

func TestDockerStopEndsAsSoonAsTheChildExits(t *testing.T) {
	img := testImage(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"child exits 0 on SIGTERM", []string{"--", "/testchild", "print-signals"}, 0},
		{"child dies by SIGTERM", []string{"--", "sh", "-c", "echo ready; exec sleep 1000"}, 143},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := img.Start(t, offline, tc.args...)
			c.WaitLog(t, "ready", time.Minute)
			took := c.Stop(t, 30*time.Second)
			code := c.ExitCode(t)
			require.NotEqual(t, 137, code, "docker had to SIGKILL after its timeout; logs:\n%s", c.Logs(t))
			require.Equal(t, tc.code, code, "logs:\n%s", c.Logs(t))
			t.Logf("docker stop -t 30 took %v", took)
		})
	}
}

func TestDockerReapsTenThousandOrphans(t *testing.T) {
	img := testImage(t)
	r := img.Run(t, offline, "--", "/testchild", "spawn-orphans", "10000")
	require.Equal(t, 0, r.Code, "%v", r)
	require.Contains(t, r.Stdout, "spawned 10000")
}

func TestDockerKillsLingeringDaemonsAfterTheStopTimeout(t *testing.T) {
	img := testImage(t)
	for _, tc := range []struct {
		name  string
		flags []string
		args  []string
	}{
		{"testchild, -t 1s", offline, []string{"-t", "1s", "--", "/testchild", "daemonise-and-linger", "2", "ignore-term"}},
		{"testchild, ENTRYPOINT_STOP_TIMEOUT=1s", append([]string{"-e", "ENTRYPOINT_STOP_TIMEOUT=1s"}, offline...),
			[]string{"--", "/testchild", "daemonise-and-linger", "2", "ignore-term"}},
		// Each daemon says it ignores SIGTERM (through the pipe) before
		// the main child exits.
		{"busybox, -t 1s", offline, []string{"-t", "1s", "--", "sh", "-c",
			`{ for i in 1 2; do setsid sh -c 'trap "" TERM; echo "daemon $$"; exec sleep 1000 >/dev/null' & done; } |
			{ read a; echo "$a"; read b; echo "$b"; }; echo ready`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := img.Run(t, tc.flags, tc.args...)
			require.Equal(t, 0, r.Code, "%v", r)
			daemons := daemonPIDs(r.Stdout)
			require.Len(t, daemons, 2, "%v", r)
			require.ElementsMatch(t, daemons, killedPIDs(t, r.Stdout), "every lingering daemon is named as killed; %v", r)
		})
	}
}

// daemonPIDs are the pids of the "daemon PID" lines.
func daemonPIDs(out string) []int {
	var pids []int
	for _, line := range strings.Split(out, "\n") {
		if s, ok := strings.CutPrefix(line, "daemon "); ok {
			if pid, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// killedPIDs are the pids of the init's "killed after the stop timeout"
// log lines (JSON: docker's stdout is no terminal).
func killedPIDs(t *testing.T, out string) []int {
	var pids []int
	for _, line := range strings.Split(out, "\n") {
		var rec struct {
			Msg string `json:"msg"`
			PID int    `json:"pid"`
			Cmd string `json:"cmd"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Msg != "killed after the stop timeout" {
			continue
		}
		require.NotEmpty(t, rec.Cmd, "the log names the killed process: %s", line)
		pids = append(pids, rec.PID)
	}
	return pids
}

func TestDockerInteractiveShell(t *testing.T) {
	img := testImage(t)
	const prompt = "e2e-shell> "
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pty := ptytest.Open(t)
	args := img.RunArgs(append([]string{"--rm", "-it", "-e", "PS1=" + prompt}, offline...), "--", "sh")
	docker := exec.CommandContext(ctx, "docker", args...)
	require.NoError(t, pty.Start(docker))
	defer docker.Wait()
	defer cancel()

	pty.Expect(t, prompt, time.Minute)
	pty.Type(t, "echo $((40+2))\r")
	pty.Expect(t, "42\r\n", 30*time.Second)
	pty.Expect(t, prompt, 30*time.Second)

	// The typed line holds sleep""ing, so only the job prints "sleeping",
	// and it does so as the terminal's foreground job.
	pty.Type(t, `sh -c 'echo sleep""ing; exec sleep 1000'`+"\r")
	pty.Expect(t, "sleeping", 30*time.Second)
	pty.Type(t, "\x03")
	pty.Expect(t, prompt, 30*time.Second)
	pty.Type(t, "echo $?\r")
	pty.Expect(t, "130\r\n", 30*time.Second) // 128+SIGINT: the sleep was interrupted
	pty.Expect(t, prompt, 30*time.Second)

	pty.Type(t, "exit 5\r")
	err := docker.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "docker run -it: %v; terminal:\n%s", err, pty.Output())
	require.Equal(t, 5, exit.ExitCode(), "terminal:\n%s", pty.Output())
	require.NotContains(t, pty.Output(), "job control turned off")
}

func TestDockerInitPath(t *testing.T) {
	needs.Root(t)
	needs.Command(t, "dockerd")
	img := testImage(t)
	bins := e2eBins(t)
	link := filepath.Join(t.TempDir(), "docker-init")
	require.NoError(t, os.Symlink(bins.entrypoint, link))
	version, err := exec.Command(link, "--version").Output()
	require.NoError(t, err)
	_, commit, ok := strings.Cut(strings.TrimSpace(string(version)), " - git.")
	require.True(t, ok, "docker-init --version: %q has no %q, docker cannot parse it", version, " - git.")

	engine := dockertest.StartDaemon(t, "--init-path", link)
	img = img.CopyTo(t, engine)
	withInit := append([]string{"--init"}, offline...)

	t.Run("docker info accepts its version", func(t *testing.T) {
		require.Equal(t, commit, engine.Output(t, "info", "--format", "{{.InitCommit.ID}}"))
	})
	t.Run("it is PID 1", func(t *testing.T) {
		r := img.Run(t, append([]string{"--entrypoint", "/bin/cat"}, withInit...), "/proc/1/cmdline")
		require.Equal(t, 0, r.Code, "%v", r)
		require.Equal(t, "/sbin/docker-init", strings.Split(r.Stdout, "\x00")[0], "%v", r)
		r = img.Run(t, append([]string{"--entrypoint", "/sbin/docker-init"}, withInit...), "--version")
		require.Equal(t, 0, r.Code, "%v", r)
		require.Contains(t, r.Stdout+r.Stderr, "(entrypoint ")
	})
	t.Run("exit status", func(t *testing.T) {
		r := img.Run(t, append([]string{"--entrypoint", "/testchild"}, withInit...), "exit", "7")
		require.Equal(t, 7, r.Code, "%v", r)
	})
	t.Run("docker stop", func(t *testing.T) {
		c := img.Start(t, append([]string{"--entrypoint", "/testchild"}, withInit...), "print-signals")
		c.WaitLog(t, "ready", time.Minute)
		took := c.Stop(t, 30*time.Second)
		require.Equal(t, 0, c.ExitCode(t), "logs:\n%s", c.Logs(t))
		require.Contains(t, c.Logs(t), "signal 15")
		t.Logf("docker stop -t 30 took %v", took)
	})
}
