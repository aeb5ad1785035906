package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// pythonBaseRef is a Debian root with python3 and pytest, made with
// debootstrap and docker import (no registry is reachable). It is kept
// across test runs and made only when missing; bump the tag when the
// package list changes.
const pythonBaseRef = "entrypoint-e2e/bookworm-python:1"

var pythonBaseOnce sync.Once

// pythonBase makes sure pythonBaseRef exists: about a minute the first
// time, nothing after.
func pythonBase(t *testing.T) string {
	t.Helper()
	needs.Docker(t)
	var r dockertest.Result
	pythonBaseOnce.Do(func() {
		if r = (dockertest.Engine{}).Docker(t, "image", "inspect", "--format", "{{.Id}}", pythonBaseRef); r.Code == 0 {
			return
		}
		needs.Root(t)
		debootstrap := needs.Command(t, "debootstrap")
		root := filepath.Join(t.TempDir(), "root")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		t.Logf("making %s with debootstrap (once; about a minute)", pythonBaseRef)
		out, err := exec.CommandContext(ctx, debootstrap, "--variant=minbase", "--include=python3,python3-pytest", "bookworm", root, "http://deb.debian.org/debian").CombinedOutput()
		require.NoError(t, err, "debootstrap: %s", out)
		imp := exec.CommandContext(ctx, "sh", "-c", `tar -C "$1" -c . | docker import - "$2"`, "sh", root, pythonBaseRef)
		out, err = imp.CombinedOutput()
		require.NoError(t, err, "docker import: %s", out)
	})
	return pythonBaseRef
}

// pythonImage builds the helloworld-python example into an image whose
// ENTRYPOINT is the binary, as a service image would be.
func pythonImage(t *testing.T) *dockertest.Image {
	t.Helper()
	src := example(t, "helloworld-python")
	files := map[string]string{}
	for _, f := range []string{"Procfile", "app.py", "test_app.py", "requirements.txt"} {
		files[f] = filepath.Join(src, f)
	}
	return serviceImage(t, pythonBase(t), files)
}

// serviceImage is base plus the binary as ENTRYPOINT and the service's
// files (name in /app: path on the host) in /app, its working directory.
func serviceImage(t *testing.T, base string, app map[string]string) *dockertest.Image {
	t.Helper()
	files := map[string]string{"entrypoint": e2eBins(t).entrypoint}
	for name, path := range app {
		files["app/"+name] = path
	}
	return dockertest.Build(t, dockertest.Context{
		Dockerfile: fmt.Sprintf(`FROM %s
COPY entrypoint /usr/local/bin/entrypoint
COPY app/ /app/
WORKDIR /app
ENTRYPOINT ["/usr/local/bin/entrypoint"]
`, base),
		Files: files,
	})
}

// threeWays runs test_unit in dir natively, as `docker run IMAGE
// test_unit` and as `entrypoint --in-image IMAGE test_unit`, with env and
// HELLO_FAIL passed on, and checks that all three end with code and the
// same report. It returns the native and the --in-image outcomes.
func threeWays(t *testing.T, dir string, img *dockertest.Image, env []string, code int) (native, inImage outcome) {
	t.Helper()
	bins := e2eBins(t)
	native = runTool(t, dir, env, bins.entrypoint, "test_unit")
	docker := runTool(t, dir, env, "docker", "run", "--rm", "--network", "none", "-e", "HELLO_FAIL", img.Ref, "test_unit")
	inImage = runTool(t, dir, env, bins.entrypoint, "--in-image", img.Ref, "--pass-env", "HELLO_FAIL", "--docker-arg=--network=none", "test_unit")
	for name, o := range map[string]outcome{"native": native, "docker run": docker, "--in-image": inImage} {
		require.Equal(t, code, o.code, "%s:\n%s\n%s", name, o.report, o.stderr)
		require.Equal(t, normalised(native.report), normalised(o.report), "%s: the same report", name)
	}
	// The container's entrypoint logs its own start and end lines too:
	// one pair from the host, one from the image.
	require.Len(t, logsOf(inImage, "task ended"), 2, "%v", inImage.logs)
	assert.True(t, strings.HasPrefix(logsOf(inImage, "task ended")[1]["source"].(string), "image:"), "%v", inImage.logs)
	return native, inImage
}

// TestTaskParityNativeAndImage runs the Python example's test_unit three
// ways: natively, as `docker run IMAGE test_unit`, and as
// `entrypoint --in-image IMAGE test_unit` on the host. All three give the
// same status and the same report, passing and failing.
func TestTaskParityNativeAndImage(t *testing.T) {
	path := pythonPath(t)
	img := pythonImage(t)
	dir := example(t, "helloworld-python")
	for _, tc := range []struct {
		name string
		fail string
		code int
		want string
	}{
		{"passing", "0", 0, "3 passed in T\n"},
		{"failing", "1", 1, "1 failed, 2 passed in T\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{"PATH=" + path, "ENTRYPOINT_LOG_FORMAT=json", "HELLO_FAIL=" + tc.fail}
			native, inImage := threeWays(t, dir, img, env, tc.code)
			assert.Contains(t, normalised(native.report), tc.want)
			assert.Regexp(t, `(?m)^\+ docker run --rm -i -e ENTRYPOINT_LOG_FORMAT (-e ENTRYPOINT_\w+ )*-e HELLO_FAIL --network=none `+regexp.QuoteMeta(img.Ref)+` test_unit$`, inImage.stderr)
		})
	}
}

// TestTaskInImageForwardsSIGTERM stops a task running in an image by
// signalling the host's entrypoint: the init forwards SIGTERM to docker
// run, which proxies it to the container, whose entrypoint forwards it to
// the task.
func TestTaskInImageForwardsSIGTERM(t *testing.T) {
	bins := e2eBins(t)
	img := pythonImage(t)
	cmd := exec.Command(bins.entrypoint, "--in-image", img.Ref, "--docker-arg=--network=none", "sh", "-c", `trap 'echo got TERM; exit 42' TERM; echo ready; sleep 1000 & wait`)
	cmd.Env = append(os.Environ(), "ENTRYPOINT_LOG_FORMAT=json")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
	}
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	_ = cmd.Wait()
	// The task's own status and words: the signal reached it, docker run
	// did not just die of it.
	require.Equal(t, 42, cmd.ProcessState.ExitCode(), "%v\n%s", cmd.ProcessState, rest.String())
	require.Contains(t, rest.String(), "got TERM\n")
	require.Less(t, time.Since(start), 8*time.Second, "stopped by the signal, not by a timeout")
}
