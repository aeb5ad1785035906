package main

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/baseimagetest"
	"github.com/entrypoint/entrypoint/internal/dockertest"
)

// TestTaskInExampleImages builds the base images and the examples on
// them (internal/baseimagetest: baseimages/build.sh, the examples' own
// one-line Dockerfiles) and runs the examples' tasks in those images.
func TestTaskInExampleImages(t *testing.T) {
	b := baseimagetest.Build(t)
	t.Run("python parity", func(t *testing.T) {
		t.Parallel()
		img := b.Example(t, "helloworld-python")
		testTaskParityPython(t, img)
		t.Run("SIGTERM through --in-image", func(t *testing.T) { testTaskInImageForwardsSIGTERM(t, img) })
	})
	t.Run("go parity", func(t *testing.T) {
		t.Parallel()
		testTaskParityGo(t, b.Example(t, "helloworld-go"))
	})
}

// threeWays runs test_unit in dir natively, as `docker run IMAGE
// test_unit` and as `entrypoint --in-image IMAGE test_unit`, with env and
// HELLO_FAIL passed on, and checks that all three end with code, and that
// both runs in the image give the report inImageReport makes of the
// native one. It returns the native and the --in-image outcomes.
func threeWays(t *testing.T, dir string, img *dockertest.Image, env []string, code int, inImageReport func(string) string) (native, inImage outcome) {
	t.Helper()
	bins := e2eBins(t)
	native = runTool(t, dir, env, bins.entrypoint, "test_unit")
	docker := runTool(t, dir, env, "docker", "run", "--rm", "--network", "none", "-e", "HELLO_FAIL", img.Ref, "test_unit")
	inImage = runTool(t, dir, env, bins.entrypoint, "--in-image", img.Ref, "--pass-env", "HELLO_FAIL", "--docker-arg=--network=none", "test_unit")
	require.Equal(t, code, native.code, "native:\n%s\n%s", native.report, native.stderr)
	for name, o := range map[string]outcome{"docker run": docker, "--in-image": inImage} {
		require.Equal(t, code, o.code, "%s:\n%s\n%s", name, o.report, o.stderr)
		require.Equal(t, inImageReport(normalised(native.report)), normalised(o.report), "%s: the same report", name)
	}
	// The container's entrypoint logs its own start and end lines too:
	// one pair from the host, one from the image.
	require.Len(t, logsOf(inImage, "task ended"), 2, "%v", inImage.logs)
	assert.True(t, strings.HasPrefix(logsOf(inImage, "task ended")[1]["source"].(string), "image:"), "%v", inImage.logs)
	return native, inImage
}

// testTaskParityPython runs the Python example's test_unit three ways:
// natively, as `docker run IMAGE test_unit`, and as `entrypoint
// --in-image IMAGE test_unit` on the host. All three give the same status
// and the same report, passing and failing.
func testTaskParityPython(t *testing.T, img *dockertest.Image) {
	path := pythonPath(t)
	dir := example(t, "helloworld-python")
	for _, tc := range []struct {
		name string
		fail string
		code int
		want string
	}{
		{"passing", "0", 0, "4 passed in T\n"},
		{"failing", "1", 1, "1 failed, 3 passed in T\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := []string{"PATH=" + path, "ENTRYPOINT_LOG_FORMAT=json", "HELLO_FAIL=" + tc.fail}
			same := func(report string) string { return report }
			native, inImage := threeWays(t, dir, img, env, tc.code, same)
			assert.Contains(t, normalised(native.report), tc.want)
			assert.Regexp(t, `(?m)^\+ docker run --rm -i -e ENTRYPOINT_LOG_FORMAT (-e ENTRYPOINT_\w+ )*-e HELLO_FAIL --network=none `+regexp.QuoteMeta(img.Ref)+` test_unit$`, inImage.stderr)
		})
	}
}

// testTaskInImageForwardsSIGTERM stops a task running in an image by
// signalling the host's entrypoint: the init forwards SIGTERM to docker
// run, which proxies it to the container, whose entrypoint forwards it to
// the task.
func testTaskInImageForwardsSIGTERM(t *testing.T, img *dockertest.Image) {
	bins := e2eBins(t)
	cmd := exec.Command(bins.entrypoint, "--in-image", img.Ref, "--docker-arg=--network=none", "sh", "-c", `trap 'echo got TERM; exit 42' TERM; echo ready; sleep 1000 & wait`)
	cmd.Env = append(os.Environ(), "ENTRYPOINT_LOG_FORMAT=json")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
	}
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
}
