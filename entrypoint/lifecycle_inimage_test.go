package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/baseimagetest"
	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// TestLifecycleBuildFromInsideAnImage runs `entrypoint build` the third
// way the lifecycle tasks promise: inside a container that has the Docker
// CLI and the engine's socket, as a CI job image does. The same binary
// runs the service's compile task and drives the host's engine, which
// ends up holding the image. The job image (the tests' Debian root) has
// no git, so the version comes from ENTRYPOINT_VERSION.
func TestLifecycleBuildFromInsideAnImage(t *testing.T) {
	needs.Docker(t)
	dockerCLI := needs.Command(t, "docker")
	socket := "/var/run/docker.sock"
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		socket = strings.TrimPrefix(host, "unix://")
	}
	jobImage := dockertest.Debootstrap(t, baseimagetest.PythonRoot)
	bins := e2eBins(t)
	entrypoint := dockertest.Static(t, bins.entrypoint)
	testchild := dockertest.Static(t, bins.testchild)
	dir := buildpubService(t) // its compile task installs testchild into dist/
	name := "lifecycle-inimage-" + strings.ToLower(filepath.Base(t.TempDir()))
	name = strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, name), "-")
	ref := name + ":1.0.0-job"
	t.Cleanup(func() {
		defer dockertest.Removing(t)()
		_ = exec.Command("docker", "image", "rm", "--force", ref).Run()
	})

	cmd := exec.Command("docker", "run", "--rm", "--user", "0", "--network", "none",
		"-v", socket+":/var/run/docker.sock",
		"-v", dockerCLI+":/usr/local/bin/docker:ro",
		"-v", entrypoint+":/usr/local/bin/entrypoint:ro",
		"-v", testchild+":"+testchild+":ro",
		"-v", dir+":/svc", "-w", "/svc",
		"-e", "ENTRYPOINT_VERSION=1.0.0-job", "-e", "ENTRYPOINT_IMAGE="+name, "-e", "ENTRYPOINT_LOG_FORMAT=json",
		jobImage, "/usr/local/bin/entrypoint", "build")
	done := dockertest.Building(t)
	out, err := cmd.CombinedOutput()
	done()
	require.NoError(t, err, "entrypoint build in the job image:\n%s", out)
	require.Contains(t, string(out), "+ install -D -m 0755 "+testchild+" dist/testchild", "the compile task ran in the job container")
	require.Contains(t, string(out), "\n"+ref+"\n", "build printed the reference it tagged")

	labels, err := exec.Command("docker", "image", "inspect", "--format",
		`{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.title"}}`, ref).CombinedOutput()
	require.NoError(t, err, "the host's engine holds the image: %s", labels)
	require.Equal(t, "1.0.0-job "+name+"\n", string(labels))
}
