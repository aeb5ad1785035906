package baseimages_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/baseimagetest"
	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// offline: the containers need no network but their own loopback.
var offline = []string{"--network", "none"}

// byID is the image as its ID: every run below is of that one image, so
// nothing can be rebuilt between them.
func byID(t *testing.T, img *dockertest.Image) *dockertest.Image {
	t.Helper()
	return &dockertest.Image{Ref: img.Engine.Output(t, "image", "inspect", "--format", "{{.Id}}", img.Ref), Engine: img.Engine}
}

// checkLabels: the OCI labels and the environment come from the build
// arguments `entrypoint build` passes.
func checkLabels(t *testing.T, b *baseimagetest.Bases, img *dockertest.Image, name string) {
	t.Helper()
	c := inspectConfig(t, img.Ref)
	assert.Equal(t, name, c.Labels["org.opencontainers.image.title"])
	assert.Equal(t, b.Revision, c.Labels["org.opencontainers.image.revision"])
	assert.Equal(t, b.Tag, c.Labels["org.opencontainers.image.version"])
	assert.Subset(t, c.Env, []string{"SERVICE_NAME=" + name, "VERSION=" + b.Tag})
	assert.Equal(t, "65532:65532", c.User)
}

// runTask runs `docker run --rm FLAGS IMAGE ARGS` and requires its status.
func runTask(t *testing.T, img *dockertest.Image, flags []string, code int, args ...string) dockertest.Result {
	t.Helper()
	r := img.Run(t, flags, args...)
	require.Equal(t, code, r.Code, "%v", r)
	return r
}

// serveAndStop runs the image's CMD (run), waits for its health check to
// pass, calls check with the container, then stops it: the service must
// exit 0, stopped by SIGTERM, not killed at docker's deadline.
func serveAndStop(t *testing.T, img *dockertest.Image, check func(*dockertest.Container)) {
	t.Helper()
	c := img.Start(t, []string{"--network", "none", "--health-interval", "200ms"})
	c.WaitHealthy(t, time.Minute)
	check(c)
	took := c.Stop(t, 10*time.Second)
	require.Equal(t, 0, c.ExitCode(t), "a graceful stop; logs:\n%s", c.Logs(t))
	t.Logf("docker stop took %v", took.Round(time.Millisecond))
}

// hasLine reports whether s has a line equal to line.
func hasLine(s, line string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// testPythonExample: static_analysis, test_unit, run, test_integration
// and test_sanity from one image, as the non-root user, with the labels.
func testPythonExample(t *testing.T, b *baseimagetest.Bases) {
	built := b.Example(t, "helloworld-python")
	checkLabels(t, b, built, "helloworld-python")
	img := byID(t, built)

	r := runTask(t, img, offline, 0, "--", "id", "-u")
	assert.True(t, hasLine(r.Stdout, "65532"), "%v", r)
	runTask(t, img, offline, 0, "static_analysis")
	r = runTask(t, img, offline, 0, "test_unit")
	assert.Contains(t, r.Stdout, "4 passed")
	r = runTask(t, img, append([]string{"-e", "HELLO_FAIL=1"}, offline...), 1, "test_unit")
	assert.Contains(t, r.Stdout, "1 failed, 3 passed")

	serveAndStop(t, img, func(c *dockertest.Container) {
		// The tests that run against a service, from the same image, in
		// the service's network namespace.
		next := []string{"--network", "container:" + c.ID}
		r := runTask(t, img, append(next, "-e", "WEB_URL=http://127.0.0.1:8080"), 0, "test_integration")
		assert.Contains(t, r.Stdout, "2 passed")
		r = runTask(t, img, append(next, "-e", "SANITY_URL=http://127.0.0.1:8080"), 0, "test_sanity")
		assert.Contains(t, r.Stdout, "1 passed")
		assert.Contains(t, c.Logs(t), "Booting worker", "gunicorn serves")
	})
}

// testPythonExampleUnderCompose: the example's compose.yaml brings its
// image up on a loopback port, as `entrypoint test_integration` does, and
// the image's test_integration passes against it through WEB_URL.
func testPythonExampleUnderCompose(t *testing.T, b *baseimagetest.Bases) {
	compose := needs.Command(t, "docker-compose")
	img := b.Example(t, "helloworld-python")
	dir := filepath.Join(b.Root, "examples", "helloworld-python")
	project := "entrypoint-test-" + strings.ReplaceAll(b.Tag, "-", "")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(compose, append([]string{"--project-name", project, "--file", filepath.Join(dir, "compose.yaml")}, args...)...)
		cmd.Env = append(os.Environ(), "ENTRYPOINT_IMAGE_REF="+img.Ref)
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("docker-compose %s: %v\n%s", strings.Join(args, " "), err, exit.Stderr)
		}
		require.NoError(t, err)
		return strings.TrimSpace(string(out))
	}
	t.Cleanup(func() { run("down", "--volumes", "--remove-orphans") })
	run("up", "--detach", "--no-build")
	c := &dockertest.Container{ID: run("ps", "--quiet", "web")}
	c.WaitLog(t, "Booting worker", time.Minute)
	addr := run("port", "web", "8080")
	require.True(t, strings.HasPrefix(addr, "127.0.0.1:"), "published on loopback only: %s", addr)
	r := runTask(t, img, []string{"--network", "host", "-e", "WEB_URL=http://" + addr}, 0, "test_integration")
	assert.Contains(t, r.Stdout, "2 passed")
}

// testGoExample: the compiled tests and the service from one FROM scratch
// image, as the non-root user (seen with docker top: there is no id in
// the image), with the labels. static_analysis cannot run there.
func testGoExample(t *testing.T, b *baseimagetest.Bases) {
	built := b.Example(t, "helloworld-go")
	checkLabels(t, b, built, "helloworld-go")
	img := byID(t, built)

	r := runTask(t, img, offline, 0, "test_unit")
	assert.Contains(t, r.Stdout, "--- PASS: TestHello (")
	assert.True(t, hasLine(r.Stdout, "PASS"), "%v", r)
	r = runTask(t, img, append([]string{"-e", "HELLO_FAIL=1"}, offline...), 1, "test_unit")
	assert.Contains(t, r.Stdout, "--- FAIL: TestHello (")
	r = runTask(t, img, offline, 2, "static_analysis")
	assert.Contains(t, r.Stderr, "static_analysis")

	serveAndStop(t, img, func(c *dockertest.Container) {
		var commands []string
		for _, p := range c.Top(t) {
			assert.Equal(t, 65532, p.UID, "%+v", p)
			commands = append(commands, p.Command)
		}
		assert.ElementsMatch(t, []string{"entrypoint", "helloworld-go"}, commands)
	})
}
