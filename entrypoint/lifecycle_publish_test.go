package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/internal/registrytest"
)

// These tests run `entrypoint build` and `entrypoint publish` as a user
// (or CI) does: the real binary, on a real Docker engine, against a real
// registry with htpasswd authentication on loopback.

// buildpubService is a service in a git work tree: a Procfile whose
// compile task puts a static binary into dist/ (ignored by git), and a
// FROM scratch Dockerfile that copies it and keeps the build args.
func buildpubService(t *testing.T) string {
	t.Helper()
	needs.Command(t, "git")
	bin := dockertest.Static(t, e2eBins(t).testchild)
	dir := t.TempDir()
	files := map[string]string{
		"Procfile":   "# put the binaries the image copies into dist/\ncompile: install -D -m 0755 " + bin + " dist/testchild\n",
		".gitignore": "dist/\n",
		"Dockerfile": `FROM scratch
ARG SERVICE_NAME
ARG GIT_COMMIT
ARG VERSION
ENV SERVICE_NAME=$SERVICE_NAME GIT_COMMIT=$GIT_COMMIT VERSION=$VERSION
COPY dist/testchild /testchild
ENTRYPOINT ["/testchild"]
`,
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	for _, args := range [][]string{
		{"init", "--quiet", "--initial-branch=main"},
		{"add", "."},
		{"commit", "--quiet", "--message", "the service"},
		{"tag", "v0.1.0"},
		{"remote", "add", "origin", "https://ci:t0ken@git.example.com/acme/svc.git"},
	} {
		gitCmd := exec.Command("git", args...)
		gitCmd.Dir, gitCmd.Env = dir, buildpubEnv(t, nil)
		out, err := gitCmd.CombinedOutput()
		require.NoError(t, err, "git %q: %s", args, out)
	}
	return dir
}

// buildpubEnv is the environment of the tests' commands: git without the
// machine's configuration, the Docker CLI's configuration in a directory
// of the test's own, the log in JSON, and more.
func buildpubEnv(t *testing.T, more []string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "DOCKER_CONFIG=" + filepath.Join(t.TempDir(), "docker"),
		"ENTRYPOINT_LOG_FORMAT=json", "SOURCE_DATE_EPOCH=1700000000",
		"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
	}
	if host, ok := os.LookupEnv("DOCKER_HOST"); ok {
		env = append(env, "DOCKER_HOST="+host)
	}
	return append(env, more...)
}

// uniqueImage is an image name of the test's own, whose images (every
// tag, every digest) are removed from the engine when the test ends.
func uniqueImage(t *testing.T, registry string) string {
	t.Helper()
	var b [4]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	name := "buildpub-e2e/svc-" + hex.EncodeToString(b[:])
	repo := name
	if registry != "" {
		repo = registry + "/" + name
	}
	t.Cleanup(func() { removeImages(t, repo) })
	return name
}

// removeImages removes every image of repo from the engine.
func removeImages(t *testing.T, repo string) {
	t.Helper()
	ids := strings.Fields(dockertest.Engine{}.Output(t, "images", "--quiet", "--no-trunc", repo))
	if len(ids) > 0 {
		slices.Sort(ids)
		defer dockertest.Removing(t)()
		dockertest.Engine{}.Output(t, append([]string{"rmi", "--force"}, slices.Compact(ids)...)...)
	}
}

// buildpubRun is what a run of the binary left: its status, the results
// it printed on stdout (its JSON log lines apart) and its stderr.
type buildpubRun struct {
	code    int
	results []string
	logs    []map[string]any
	stdout  string
	stderr  string
}

// entrypointIn runs `entrypoint args...` in dir with exactly env; a
// build holds the image store as dockertest's builds do.
func entrypointIn(t *testing.T, dir string, env []string, args ...string) buildpubRun {
	t.Helper()
	if len(args) > 0 && args[0] == "build" {
		defer dockertest.Building(t)()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2eBins(t).entrypoint, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	run := buildpubRun{code: exitStatus(t, cmd.Run()), stdout: stdout.String(), stderr: stderr.String()}
	for _, line := range strings.Split(strings.TrimSpace(run.stdout), "\n") {
		var entry map[string]any
		switch {
		case strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &entry) == nil:
			run.logs = append(run.logs, entry)
		case line != "":
			run.results = append(run.results, line)
		}
	}
	return run
}

// logged counts the log lines with msg.
func (r buildpubRun) logged(msg string) int {
	n := 0
	for _, l := range r.logs {
		if l["msg"] == msg {
			n++
		}
	}
	return n
}

// imageField returns the image's field (a Go template such as
// {{json .Config.Labels}}) decoded into v.
func imageField(t *testing.T, ref, field string, v any) {
	t.Helper()
	out := dockertest.Engine{}.Output(t, "image", "inspect", "--format", field, ref)
	require.NoError(t, json.Unmarshal([]byte(out), v), out)
}

func TestLifecycleBuildPublishPromote(t *testing.T) {
	t.Parallel()
	needs.Docker(t)
	reg := registrytest.Start(t)
	dir := buildpubService(t)
	name := uniqueImage(t, reg.Addr)
	repo := reg.Addr + "/" + name
	passwordFile := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(passwordFile, []byte(reg.Password+"\n"), 0o600))
	env := buildpubEnv(t, []string{"ENTRYPOINT_REGISTRY=" + reg.Addr, "ENTRYPOINT_IMAGE=" + name,
		"ENTRYPOINT_REGISTRY_USER=" + reg.User, "ENTRYPOINT_REGISTRY_PASSWORD_FILE=" + passwordFile})
	rev := gitRevParse(t, dir, "HEAD")
	short := repo + ":" + rev[:12]

	notBuilt := entrypointIn(t, dir, env, "publish")
	assert.Equal(t, 1, notBuilt.code, notBuilt.stderr)
	assert.Contains(t, notBuilt.stderr, "entrypoint: publish: "+short+" was not built here: run build first")

	built := entrypointIn(t, dir, env, "build")
	require.Equal(t, 0, built.code, built.stderr)
	assert.Equal(t, []string{short, repo + ":main"}, built.results, "the references, one per line")
	assert.Contains(t, built.stderr, "+ install -D -m 0755 ", "the compile task ran first, printed")
	assert.Contains(t, built.stderr, "+ docker build --tag "+short+" --tag "+repo+":main --label ")
	var labels map[string]string
	imageField(t, short, "{{json .Config.Labels}}", &labels)
	assert.Equal(t, map[string]string{
		"org.opencontainers.image.created":  "2023-11-14T22:13:20Z",
		"org.opencontainers.image.revision": rev,
		"org.opencontainers.image.source":   "https://git.example.com/acme/svc.git",
		"org.opencontainers.image.title":    filepath.Base(name),
		"org.opencontainers.image.version":  "v0.1.0",
	}, labels)
	var imageEnv []string
	imageField(t, short, "{{json .Config.Env}}", &imageEnv)
	assert.Subset(t, imageEnv, []string{"SERVICE_NAME=" + filepath.Base(name), "GIT_COMMIT=" + rev, "VERSION=v0.1.0"}, "the build args reached the image")

	published := entrypointIn(t, dir, env, "publish")
	require.Equal(t, 0, published.code, published.stderr)
	require.Len(t, published.results, 1, published.stdout)
	digestRef := published.results[0]
	assert.Regexp(t, `^`+repo+`@sha256:[0-9a-f]{64}$`, digestRef)
	assert.Contains(t, published.stderr, `+ cat "$ENTRYPOINT_REGISTRY_PASSWORD_FILE" | docker login --username ci --password-stdin `+reg.Addr+"\n")
	assert.Contains(t, published.stderr, "+ docker push "+repo+":main\n")
	assert.NotContains(t, published.stdout+published.stderr, reg.Password)

	removeImages(t, repo) // from here on, only the registry has the image
	promoted := entrypointIn(t, dir, env, "publish", "--promote", "rc")
	require.Equal(t, 0, promoted.code, promoted.stderr)
	assert.Equal(t, []string{digestRef}, promoted.results, "the same digest")
	assert.Contains(t, promoted.stderr, "+ docker pull "+short+"\n")
	assert.NotContains(t, promoted.stderr, "docker build")
	prod := entrypointIn(t, dir, env, "publish", "--promote", "prod", "--from", "rc")
	require.Equal(t, 0, prod.code, prod.stderr)
	assert.Equal(t, []string{digestRef}, prod.results)

	removeImages(t, repo)
	config := filepath.Join(t.TempDir(), "docker")
	reg.Login(t, config)
	for _, tag := range []string{"rc", "prod"} {
		dockertest.Engine{}.Output(t, "--config", config, "pull", "--quiet", repo+":"+tag)
		var digests []string
		imageField(t, repo+":"+tag, "{{json .RepoDigests}}", &digests)
		assert.Contains(t, digests, digestRef, "%s:%s in the registry is the published digest", repo, tag)
	}
}

func TestLifecyclePublishRefusedCredentialsAreTriedOnce(t *testing.T) {
	t.Parallel()
	needs.Docker(t)
	reg := registrytest.Start(t)
	dir := buildpubService(t)
	wrong := "wrong-" + reg.Password
	env := buildpubEnv(t, []string{"ENTRYPOINT_REGISTRY=" + reg.Addr, "ENTRYPOINT_IMAGE=" + uniqueImage(t, reg.Addr),
		"ENTRYPOINT_REGISTRY_USER=" + reg.User, "ENTRYPOINT_REGISTRY_PASSWORD=" + wrong})
	run := entrypointIn(t, dir, env, "publish")
	assert.Equal(t, 78, run.code, run.stderr)
	assert.Contains(t, run.stderr, "entrypoint: publish: "+reg.Addr+" refused the credentials (unauthorized): set ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD (or _FILE) for it\n")
	assert.Equal(t, 1, strings.Count(run.stderr, "| docker login "), "one attempt:\n%s", run.stderr)
	assert.Zero(t, run.logged("step failed; retrying"))
	assert.NotContains(t, run.stderr, "docker push")
	assert.NotContains(t, run.stdout+run.stderr, wrong)
}

func TestLifecyclePublishRetriesAnUnreachableRegistry(t *testing.T) {
	t.Parallel()
	needs.Docker(t)
	dir := buildpubService(t)
	down := freeAddr(t) // nothing listens there
	env := buildpubEnv(t, []string{"ENTRYPOINT_REGISTRY=" + down, "ENTRYPOINT_IMAGE=" + uniqueImage(t, down)})
	require.Equal(t, 0, entrypointIn(t, dir, env, "build").code)
	run := entrypointIn(t, dir, env, "publish")
	assert.Equal(t, 1, run.code, "docker push's own status:\n%s", run.stderr)
	assert.Equal(t, 5, strings.Count(run.stderr, "+ docker push "), run.stderr)
	assert.Equal(t, 4, run.logged("step failed; retrying"))
	assert.Contains(t, run.stderr, "entrypoint: publish: gave up after 5 attempts: docker push "+down+"/")
	assert.Contains(t, run.stderr, "connection refused\n")
	assert.Empty(t, run.results)
}

func TestLifecycleBuildMarksADirtyTree(t *testing.T) {
	t.Parallel()
	needs.Docker(t)
	dir := buildpubService(t)
	name := uniqueImage(t, "")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not committed"), 0o644))
	run := entrypointIn(t, dir, buildpubEnv(t, []string{"ENTRYPOINT_IMAGE=" + name}), "build", "--tag", "wip")
	require.Equal(t, 0, run.code, run.stderr)
	rev := gitRevParse(t, dir, "--short=12", "HEAD")
	assert.Equal(t, []string{name + ":" + rev + "-dirty", name + ":main", name + ":wip"}, run.results)
	assert.Equal(t, 1, run.logged("the service directory has uncommitted changes; the image tag says so"))
	var labels map[string]string
	imageField(t, name+":wip", "{{json .Config.Labels}}", &labels)
	assert.Equal(t, "v0.1.0-dirty", labels["org.opencontainers.image.version"])
}

// gitRevParse is `git rev-parse args...` in dir.
func gitRevParse(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir, "rev-parse"}, args...)...).Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}
