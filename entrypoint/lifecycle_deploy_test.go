package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/loadtest"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/internal/registrytest"
)

// These tests deploy the Go example with the real binary to the real
// Docker engine, as a container and as a Swarm service, from a real
// registry that wants a login, under an HTTP load that must see no
// failure.

// deployProcfile is the Procfile of the images and of the service
// directory: release and prestart write to /release/log, which the tests
// mount, so the log shows that each release ran before its version
// started.
const deployProcfile = `release: /bin/busybox sh -c "echo release ${VERSION} >> /release/log; exit ${RELEASE_EXIT:-0}"
prestart: /bin/busybox sh -c "echo start ${VERSION} >> /release/log"
`

// deployVersions are the example's versions pushed: v1 and v2 healthy, v3
// answering / but failing its health check.
var deployVersions = []string{"v1", "v2", "v3"}

// v3Env makes v3's health check fail. On the host network the versions
// share the port, so a check of 127.0.0.1:PORT/health reaches either: v3
// checks a path no version serves, and keeps its /health answering 200,
// since v2's own checks may reach v3 too and Swarm stops a task that turns
// unhealthy (HELLO_UNHEALTHY=1 would take v2 down). docs/deploy.md
// explains.
const v3Env = "ENTRYPOINT_HEALTH_PATH=/health-of-v3"

// deployFixture is what the deploy tests share: a registry holding the
// versions, a Docker CLI configuration logged in to it, and a service
// directory with the Procfile.
type deployFixture struct {
	repo         string // REGISTRY/NAME
	dockerConfig string
	dir          string
}

func (f deployFixture) ref(version string) string { return f.repo + ":" + version }

// newDeployFixture builds the versions and pushes them to a registry
// started for the test.
func newDeployFixture(t *testing.T) deployFixture {
	t.Helper()
	needs.Docker(t)
	reg := registrytest.Start(t)
	f := deployFixture{repo: reg.Ref("deploy-e2e-" + randomHex(t)), dockerConfig: t.TempDir(), dir: t.TempDir()}
	reg.Login(t, f.dockerConfig)
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "Procfile"), []byte(deployProcfile), 0o644))
	hello := filepath.Join(t.TempDir(), "helloworld")
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	require.NoError(t, goBuild(root, hello, "./examples/helloworld-go"))
	files := map[string]string{
		"entrypoint": e2eBins(t).entrypoint,
		"helloworld": dockertest.Static(t, hello),
		"busybox":    dockertest.Static(t, needs.Command(t, "busybox")),
		"Procfile":   filepath.Join(f.dir, "Procfile"),
	}
	engine := dockertest.Engine{}
	t.Cleanup(func() { untagRepo(t, f.repo) })
	for _, v := range deployVersions {
		env := "VERSION=" + v
		if v == "v3" {
			env += " " + v3Env
		}
		img := dockertest.Build(t, dockertest.Context{Dockerfile: `FROM scratch
COPY entrypoint /usr/local/bin/entrypoint
COPY helloworld /helloworld
COPY busybox /bin/busybox
COPY Procfile /app/Procfile
WORKDIR /app
ENV ` + env + `
HEALTHCHECK --interval=1s --timeout=3s --retries=3 CMD ["/usr/local/bin/entrypoint", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/entrypoint"]
CMD ["/helloworld"]
`, Files: files})
		engine.Output(t, "tag", img.Ref, f.ref(v))
		engine.Output(t, "--config", f.dockerConfig, "push", "--quiet", f.ref(v))
		engine.Output(t, "rmi", f.ref(v)) // deploy pulls it
	}
	return f
}

// untagRepo removes this machine's tags and digests of repo.
func untagRepo(t *testing.T, repo string) {
	defer dockertest.Removing(t)()
	engine := dockertest.Engine{}
	out := engine.Output(t, "images", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}", repo)
	for _, ref := range strings.Fields(out) {
		if !strings.HasSuffix(ref, "<none>") {
			engine.Docker(t, "rmi", ref)
		}
	}
}

func randomHex(t *testing.T) string {
	var b [4]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return hex.EncodeToString(b[:])
}

// migrateQueuedConnections sets net.ipv4.tcp_migrate_req for the test:
// connections queued on a listener that closes move to another listener
// of its SO_REUSEPORT group instead of being reset (docs/deploy.md).
func migrateQueuedConnections(t *testing.T) {
	t.Helper()
	needs.Root(t)
	const knob = "/proc/sys/net/ipv4/tcp_migrate_req"
	old, err := os.ReadFile(knob)
	require.NoError(t, err, "a kernel of 5.14 or later has %s", knob)
	require.NoError(t, os.WriteFile(knob, []byte("1"), 0o644))
	t.Cleanup(func() { require.NoError(t, os.WriteFile(knob, old, 0o644)) })
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// versionAt GETs url and returns the X-Version of the answer.
func versionAt(t *testing.T, url string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}).Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return resp.Header.Get("X-Version")
}

// rollout is one target's run of the deploy scenario.
type rollout struct {
	f        deployFixture
	target   string
	name     string // ENTRYPOINT_DEPLOY_NAME
	args     string // ENTRYPOINT_DEPLOY_ARGS
	env      []string
	url      string
	release  string // the host directory mounted at /release
	versions func(t *testing.T) []string
}

// rollout sets up a run of the scenario against target, on a port of
// its own on the host network.
func (f deployFixture) rollout(t *testing.T, target string) rollout {
	port := freePort(t)
	ro := rollout{f: f, target: target, name: "deploy-e2e-" + target + "-" + randomHex(t), release: t.TempDir(), url: fmt.Sprintf("http://127.0.0.1:%d/", port)}
	switch target {
	case "docker":
		ro.args = fmt.Sprintf("--network host -e PORT=%d -v %s:/release", port, ro.release)
		ro.versions = func(t *testing.T) []string { return containerVersions(t, ro.name) }
		t.Cleanup(func() { removeContainers(t, ro.name) })
	case "swarm":
		ro.args = fmt.Sprintf("--network host -e PORT=%d --mount type=bind,src=%s,dst=/release", port, ro.release)
		ro.versions = func(t *testing.T) []string { return serviceVersions(t, ro.name) }
		t.Cleanup(func() { removeService(t, ro.name) })
	}
	ro.env = []string{
		"DOCKER_CONFIG=" + f.dockerConfig,
		"ENTRYPOINT_LOG_FORMAT=json",
		"ENTRYPOINT_DEPLOY_TARGET=" + target,
		"ENTRYPOINT_DEPLOY_NAME=" + ro.name,
		"ENTRYPOINT_DEPLOY_ARGS=" + ro.args,
		"ENTRYPOINT_DEPLOY_TIMEOUT=60s",
	}
	return ro
}

// deploy runs `entrypoint --dir DIR [flags] deploy args...` with the
// rollout's environment plus env.
func (ro rollout) deploy(t *testing.T, env []string, args ...string) outcome {
	t.Helper()
	argv := append([]string{e2eBins(t).entrypoint, "--dir", ro.f.dir}, args...)
	if !strings.HasPrefix(args[0], "-") {
		argv = append([]string{e2eBins(t).entrypoint, "--dir", ro.f.dir, "deploy"}, args...)
	}
	o := runTool(t, ro.f.dir, append(append([]string{}, ro.env...), env...), argv...)
	t.Logf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(argv[1:], " "), o.code, o.report, o.stderr)
	return o
}

// dryRun checks that `--dry-run deploy REPO:v2` prints the commands a
// real run would run now, with old (a container or the service) running.
func (ro rollout) dryRun(t *testing.T, old string) {
	t.Helper()
	o := ro.deploy(t, nil, "--dry-run", "deploy", ro.f.ref("v2"))
	require.Equal(t, 0, o.code)
	pinned := "'" + ro.f.repo + "@<digest>'" // quoted for a shell, as the name below
	want := []string{
		"# deploy (built-in) in " + ro.f.dir,
		"docker pull " + ro.f.ref("v2"),
		"docker inspect --format '{{json .RepoDigests}}' " + ro.f.ref("v2"),
		"docker run --rm " + ro.args + " " + pinned + " release", // all the options are ones a release keeps
	}
	switch {
	case ro.target == "docker":
		next := "'" + ro.name + "-<digest>'"
		want = append(want,
			"docker run --detach --name "+next+" --label io.entrypoint.service="+ro.name+" --restart unless-stopped "+ro.args+" "+pinned,
			"# then: wait up to 1m0s for "+next+" to be healthy (docker container inspect "+next+", with backoff)",
			"# if it is not: docker logs --tail 20 "+next+"; docker stop "+next+"; docker rm --force "+next+"; exit 69",
			"docker stop --time 10 "+old,
			"docker rm "+old)
	case old == "":
		want = append(want,
			"docker service create --detach=false --name "+ro.name+" --with-registry-auth --update-order start-first --update-failure-action rollback"+
				" --update-monitor 5s --rollback-order start-first --replicas 1 "+ro.args+" "+pinned,
			"# then: wait up to 1m0s for "+ro.name+" to converge (docker service inspect "+ro.name+", with backoff); rolled back: exit 69")
	default:
		want = append(want,
			"docker service update --detach=false --with-registry-auth --update-order start-first --update-failure-action rollback"+
				" --update-monitor 5s --rollback-order start-first --image "+pinned+" "+ro.name,
			"# then: wait up to 1m0s for "+ro.name+" to converge (docker service inspect "+ro.name+", with backoff); rolled back: exit 69")
	}
	require.Equal(t, strings.Join(want, "\n")+"\n", o.report)
}

// run is the scenario: v1 deployed and deployed again (nothing to do);
// under load, v2 replaces it; v3 fails its health check and v2 keeps
// serving; a failing release changes nothing; the load saw no failure
// and both v1 and v2 answered it.
func (ro rollout) run(t *testing.T) {
	digest := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(ro.f.repo) + `@sha256:[0-9a-f]{64}$`)
	if ro.target == "swarm" {
		ro.dryRun(t, "")
	}
	o := ro.deploy(t, nil, ro.f.ref("v1"))
	require.Equal(t, 0, o.code)
	require.Regexp(t, digest, o.report, "deploy prints what it deployed, by digest")
	v1 := strings.TrimSpace(o.report)
	require.Equal(t, "v1", versionAt(t, ro.url))
	ro.dryRun(t, ro.name+"-"+strings.TrimPrefix(v1, ro.f.repo+"@sha256:")[:12])

	o = ro.deploy(t, nil, v1)
	require.Equal(t, 0, o.code)
	require.Len(t, logsOf(o, "the image already serves; nothing to do"), 1, "%v", o.logs)

	load := loadtest.Start(loadtest.Options{URL: ro.url, Workers: 4, Header: "X-Version"})
	defer load.Stop()
	report, ok := load.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.OK >= 50 })
	require.True(t, ok, "the load reaches v1: %v", report)

	o = ro.deploy(t, nil, ro.f.ref("v2"))
	require.Equal(t, 0, o.code)
	require.Regexp(t, digest, o.report)
	require.Equal(t, []string{"v2"}, ro.versions(t), "v2 alone runs")
	report, ok = load.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.Answers["v2"] >= 50 })
	require.True(t, ok, "the load reaches v2: %v", report)

	o = ro.deploy(t, nil, ro.f.ref("v3"))
	require.Equal(t, 69, o.code, "v3 never becomes healthy")
	require.Empty(t, o.report, "nothing deployed, no reference printed")
	assert.Contains(t, o.stderr, "unhealthy: http://127.0.0.1:", "the last health check is named")
	assert.Contains(t, o.stderr, "/health-of-v3: status 404 Not Found")
	require.Equal(t, []string{"v2"}, ro.versions(t), "v3 is gone, v2 runs")
	before := report.Answers["v2"]
	report, ok = load.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.Answers["v2"] >= before+50 })
	require.True(t, ok, "v2 keeps answering: %v", report)

	o = ro.deploy(t, []string{"RELEASE_EXIT=3", "ENTRYPOINT_DEPLOY_ENV=RELEASE_EXIT"}, ro.f.ref("v1"))
	require.Equal(t, 3, o.code, "the release's own status")
	assert.Contains(t, o.stderr, "release failed, nothing was deployed")
	require.Equal(t, []string{"v2"}, ro.versions(t), "a failed release changes nothing")

	report = load.Stop()
	t.Logf("load: %v", report)
	assert.Zero(t, report.Failed, "no request failed during the updates: %v", report)
	assert.Positive(t, report.Answers["v1"], "%v", report)
	assert.Positive(t, report.Answers["v2"], "%v", report)
	assert.Equal(t, "v2", versionAt(t, ro.url))

	log, err := os.ReadFile(filepath.Join(ro.release, "log"))
	require.NoError(t, err)
	for _, v := range deployVersions {
		assert.Regexp(t, "(?s)release "+v+"\n.*start "+v+"\n", string(log), "%s's release ran before %s started", v, v)
	}
	assert.Equal(t, 2, strings.Count(string(log), "release v1\n"), "v1's release ran for its first deploy and for the failed one, not for the second, which had nothing to do:\n%s", log)
	assert.Equal(t, 1, strings.Count(string(log), "start v1\n"), "%s", log)
}

// probeAndInterrupt deploys v1 to a container without a health check,
// probed with docker exec entrypoint healthcheck; then v3 with a check
// that stays starting, and SIGTERM to the deploy while it waits: 130,
// the new container removed, v1 still serving.
func (ro rollout) probeAndInterrupt(t *testing.T) {
	o := ro.deploy(t, []string{"ENTRYPOINT_DEPLOY_ARGS=" + ro.args + " --no-healthcheck"}, ro.f.ref("v1"))
	require.Equal(t, 0, o.code)
	require.Regexp(t, `(?m)^\+ docker exec `+ro.name+`-[0-9a-f]{12} /usr/local/bin/entrypoint healthcheck$`, o.stderr)
	require.Equal(t, []string{"v1"}, ro.versions(t))

	cmd := exec.Command(e2eBins(t).entrypoint, "--dir", ro.f.dir, "deploy", ro.f.ref("v3"))
	cmd.Env = append(append(toolEnv(), ro.env...), "ENTRYPOINT_DEPLOY_ARGS="+ro.args+" --health-start-period 5m")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	var seen strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "+ docker container inspect "+ro.name+"-") {
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM)) // waiting for v3 to be healthy
			break
		}
	}
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
	}
	_ = cmd.Wait()
	require.Equal(t, 130, cmd.ProcessState.ExitCode(), "%s", seen.String())
	require.Contains(t, seen.String(), "interrupted while "+ro.name+"-")
	require.Equal(t, []string{"v1"}, ro.versions(t), "the interrupted deploy's container is gone")
	require.Equal(t, "v1", versionAt(t, ro.url))
}

// TestDeploy runs the scenario against the docker and the swarm targets,
// in parallel, each on a port of its own on the host network.
func TestDeploy(t *testing.T) {
	f := newDeployFixture(t)
	migrateQueuedConnections(t)
	t.Run("docker", func(t *testing.T) {
		t.Parallel()
		ro := f.rollout(t, "docker")
		ro.run(t)
		ro.probeAndInterrupt(t)
	})
	t.Run("swarm", func(t *testing.T) {
		t.Parallel()
		swarm(t)
		f.rollout(t, "swarm").run(t)
	})
}

// containerVersions are the VERSIONs of the containers deploy runs for
// name.
func containerVersions(t *testing.T, name string) []string {
	engine := dockertest.Engine{}
	ids := strings.Fields(engine.Output(t, "ps", "--all", "--quiet", "--filter", "label=io.entrypoint.service="+name))
	var versions []string
	for _, id := range ids {
		env := engine.Output(t, "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", id)
		versions = append(versions, regexp.MustCompile(`(?m)^VERSION=(\S+)$`).FindStringSubmatch(env)[1])
	}
	return versions
}

// serviceVersions is the VERSION of the image the service runs.
func serviceVersions(t *testing.T, name string) []string {
	engine := dockertest.Engine{}
	img := engine.Output(t, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", name)
	env := engine.Output(t, "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", img)
	return []string{regexp.MustCompile(`(?m)^VERSION=(\S+)$`).FindStringSubmatch(env)[1]}
}

func removeContainers(t *testing.T, name string) {
	engine := dockertest.Engine{}
	ids := strings.Fields(engine.Output(t, "ps", "--all", "--quiet", "--filter", "label=io.entrypoint.service="+name))
	if len(ids) > 0 {
		engine.Output(t, append([]string{"rm", "--force"}, ids...)...)
	}
}

// removeService removes the service and waits until its containers are
// gone, so that their images can go.
func removeService(t *testing.T, name string) {
	engine := dockertest.Engine{}
	engine.Docker(t, "service", "rm", name)
	ids := strings.Fields(engine.Output(t, "ps", "--all", "--quiet", "--filter", "label=com.docker.swarm.service.name="+name))
	if len(ids) > 0 {
		engine.Docker(t, append([]string{"wait"}, ids...)...)
		engine.Docker(t, append([]string{"rm", "--force"}, ids...)...)
	}
}

// swarm makes sure the engine is a Swarm manager: a one-node Swarm on
// the loopback, made for the test and left when it ends, unless the
// engine already is one.
func swarm(t *testing.T) {
	t.Helper()
	engine := dockertest.Engine{}
	switch state := engine.Output(t, "info", "--format", "{{.Swarm.LocalNodeState}}"); state {
	case "active":
	case "inactive":
		engine.Output(t, "swarm", "init", "--advertise-addr", "127.0.0.1")
		t.Cleanup(func() { engine.Output(t, "swarm", "leave", "--force") })
	default:
		t.Fatalf("the engine's Swarm is %s: neither usable nor absent", state)
	}
}

// TestDeployKubernetesDryRun checks, through the binary, the commands a
// Kubernetes deploy runs, in order: the Secret, the release pod, the
// Deployment and Service, the rollout and, marked, its undo; and that a
// missing target is named (78).
func TestDeployKubernetesDryRun(t *testing.T) {
	bin := e2eBins(t).entrypoint
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("release: ./migrate up\n"), 0o644))
	ref := "registry.example.com/shop/api@sha256:" + strings.Repeat("7c", 32)
	env := []string{"ENTRYPOINT_DEPLOY_TARGET=kubernetes", "ENTRYPOINT_KUBE_CONTEXT=prod", "ENTRYPOINT_KUBE_NAMESPACE=shop",
		"ENTRYPOINT_DEPLOY_ENV=DB_URL", "DB_URL=postgres://u:s3cret@db/x", "ENTRYPOINT_LOG_FORMAT=json"}
	o := runTool(t, dir, env, bin, "--dry-run", "--dir", dir, "deploy", ref)
	require.Equal(t, 0, o.code, o.stderr)
	require.NotContains(t, o.report+o.stderr, "s3cret", "no value of ENTRYPOINT_DEPLOY_ENV is printed")
	var commands []string
	for _, line := range strings.Split(o.report, "\n") {
		if strings.HasPrefix(line, "kubectl ") || strings.HasPrefix(line, "#") {
			commands = append(commands, line)
		}
	}
	kubectl := regexp.QuoteMeta("kubectl --context prod --namespace shop ")
	want := []string{
		`# deploy \(built-in\) in ` + regexp.QuoteMeta(dir),
		kubectl + `apply -f - <<'EOF'`,
		kubectl + `run api-release-7c7c7c7c --image=` + regexp.QuoteMeta(ref) + ` --restart=Never --rm --attach --quiet --pod-running-timeout=2m0s ` +
			regexp.QuoteMeta(`--labels=app.kubernetes.io/part-of=api,app.kubernetes.io/component=release --env=PORT=8080 --override-type=strategic `+
				`'--overrides={"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"api-release-7c7c7c7c","envFrom":[{"secretRef":{"name":"api-env-`) +
			`[0-9a-f]{10}` + regexp.QuoteMeta(`"}}]}]}}' -- release`),
		kubectl + `apply -f - <<'EOF'`,
		kubectl + `rollout status deployment/api --timeout=2m0s`,
		`# if the rollout fails: ` + kubectl + `rollout undo deployment/api`,
	}
	require.Len(t, commands, len(want), "%s", o.report)
	for i, w := range want {
		assert.Regexp(t, "^"+w+"$", commands[i])
	}
	assert.Contains(t, o.report, `"DB_URL": "<the value of $DB_URL>"`)
	assert.Contains(t, o.report, `"image": "`+ref+`"`)

	o = runTool(t, dir, []string{"ENTRYPOINT_LOG_FORMAT=json"}, bin, "--dir", dir, "deploy", ref)
	require.Equal(t, 78, o.code)
	assert.Contains(t, o.stderr, "entrypoint: deploy: ENTRYPOINT_DEPLOY_TARGET is not set: set it to docker, swarm or kubernetes\n")
}
