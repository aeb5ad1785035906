package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// These tests run `entrypoint test_integration` on a service with a
// compose file (a web server depending on a database-like TCP service
// with a volume, both busybox in the test image, under the binary as PID
// 1) against the real engine and the real compose CLI, and
// `entrypoint test_sanity` against a real server on the loopback.

// integCompose is the service's compose file; webHealth is the test of
// web's healthcheck and its interval.
func integCompose(webHealth, interval string) string {
	return `services:
  db:
    image: ${ENTRYPOINT_IMAGE_REF}
    command: ["--", "/bin/busybox", "nc", "-ll", "-p", "5432", "-e", "/bin/echo"]
    volumes: ["data:/data"]
    ports: ["127.0.0.1::5432"]
    healthcheck:
      test: ["CMD", "/bin/busybox", "nc", "-w", "1", "127.0.0.1", "5432"]
      interval: 200ms
      retries: 100
  web:
    image: ${ENTRYPOINT_IMAGE_REF}
    command: ["--", "/bin/sh", "-c", "busybox mkdir /www && echo ok >/www/health && exec busybox httpd -f -p 8080 -h /www"]
    ports: ["127.0.0.1::8080"]
    depends_on:
      db:
        condition: service_healthy
    healthcheck:
      test: ` + webHealth + `
      interval: ` + interval + `
      retries: 1
volumes:
  data:
`
}

const healthyWeb = `["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]`

// integTests are the service's integration tests: they reach web at
// WEB_URL and db at DB_ADDR, then pass, fail with 3, or hang.
const integTests = `set -e
echo "tests see project=$COMPOSE_PROJECT_NAME file=$COMPOSE_FILE image=$ENTRYPOINT_IMAGE_REF"
busybox wget -q -O - "$WEB_URL/health"
busybox nc -w 2 "${DB_ADDR%:*}" "${DB_ADDR#*:}" </dev/null
echo "tests reached web and db"
case "$1" in
fail) exit 3 ;;
hang) echo "tests running"; exec busybox sleep 1000 ;;
esac
`

// integService writes a service whose directory name, and so whose
// compose projects' names, no other test shares.
func integService(t *testing.T, compose string) string {
	t.Helper()
	var b [4]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "integ-"+hex.EncodeToString(b[:]))
	require.NoError(t, os.Mkdir(dir, 0o755))
	for name, text := range map[string]string{
		"compose.yaml": compose,
		"Procfile":     "test_integration: sh ./tests.sh ${MODE:-pass}\n",
		"tests.sh":     integTests,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

// startInteg starts `entrypoint --dir DIR test_integration` with the
// service image and env added to the test's environment.
func startInteg(t *testing.T, dir string, img *dockertest.Image, env ...string) *liveInit {
	t.Helper()
	env = append([]string{"ENTRYPOINT_LOG_FORMAT=json", "ENTRYPOINT_IMAGE_REF=" + img.Ref}, env...)
	return startInit(t, "entrypoint", env, "--dir", dir, "test_integration")
}

var projectFlag = regexp.MustCompile(`^\+ docker(?:-compose| compose) -p (integ-[0-9a-f]{8}-it-[0-9a-f]{8}) -f `)

// projectOf is the compose project a run printed, failing the test when
// it printed none.
func projectOf(t *testing.T, lines []string) string {
	t.Helper()
	for _, line := range lines {
		if m := projectFlag.FindStringSubmatch(line); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no compose command with a project printed:\n%s", strings.Join(lines, "\n"))
	return ""
}

// leftovers lists what the project left on the engine: the containers,
// networks and volumes labelled with its name, each as the docker command
// that removes it.
func leftovers(t *testing.T, project string) [][]string {
	t.Helper()
	label := "label=com.docker.compose.project=" + project
	var left [][]string
	for _, kind := range []struct{ list, remove []string }{
		{[]string{"ps", "--all", "--quiet", "--filter", label}, []string{"rm", "--force", "--volumes"}},
		{[]string{"network", "ls", "--quiet", "--filter", label}, []string{"network", "rm"}},
		{[]string{"volume", "ls", "--quiet", "--filter", label}, []string{"volume", "rm", "--force"}},
	} {
		for _, id := range strings.Fields(dockertest.Engine{}.Output(t, kind.list...)) {
			left = append(left, append(kind.remove, id))
		}
	}
	return left
}

// requireNoLeftovers checks the project is gone, and removes what is
// left so that a failing test litters nothing.
func requireNoLeftovers(t *testing.T, project string) {
	t.Helper()
	left := leftovers(t, project)
	t.Cleanup(func() {
		for _, remove := range left {
			dockertest.Engine{}.Docker(t, remove...)
		}
	})
	require.Empty(t, left, "project %s left these behind", project)
}

func TestIntegrationComposeProject(t *testing.T) {
	needs.Command(t, "docker-compose")
	img := testImage(t)
	for _, tc := range []struct {
		name      string
		webHealth string
		interval  string
		env       []string
		code      int
		want      []string // regular expressions
	}{
		{"the tests pass", healthyWeb, "200ms", nil, 0, []string{`tests reached web and db`, `/compose\.yaml image=dockertest/`}},
		{"the tests fail", healthyWeb, "200ms", []string{"MODE=fail"}, 3, []string{`tests reached web and db`, `test_integration: the tests exited with status 3`}},
		{"health never comes", healthyWeb, "1h", []string{"ENTRYPOINT_INTEGRATION_TIMEOUT=10s"}, 69, []string{`not ready within 10s \(polls: \d+\): \S+web[-_]1 starting: raise ENTRYPOINT_INTEGRATION_TIMEOUT`}},
		{"the image is not built", healthyWeb, "200ms", []string{"ENTRYPOINT_IMAGE_REF=dockertest/integ-never-built:1"}, 1, []string{"up -d: exit status 1: .*; the service image dockertest/integ-never-built:1 is not on this engine: run `entrypoint build` first"}},
		{"web turns unhealthy", `["CMD", "/bin/busybox", "false"]`, "200ms", nil, 69, []string{`project \S+ will not be ready: \S+web[-_]1 unhealthy`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := integService(t, integCompose(tc.webHealth, tc.interval))
			code, lines := startInteg(t, dir, img, tc.env...).wait(t)
			out := strings.Join(lines, "\n")
			project := projectOf(t, lines)
			requireNoLeftovers(t, project)
			assert.Equal(t, tc.code, code, out)
			for _, want := range tc.want {
				assert.Regexp(t, want, out)
			}
			assert.Contains(t, out, "down -v --remove-orphans")
			if tc.code == 0 {
				assert.NotContains(t, out, "logs --no-color", "logs are printed on failure only")
			} else {
				assert.Contains(t, out, "logs --no-color --tail=50")
			}
			if tc.code == 69 || tc.code == 1 {
				assert.NotContains(t, out, "tests see project", "the tests run only once the project is ready")
			}
		})
	}
}

func TestIntegrationInterruptTearsDown(t *testing.T) {
	needs.Command(t, "docker-compose")
	img := testImage(t)
	dir := integService(t, integCompose(healthyWeb, "200ms"))
	l := startInteg(t, dir, img, "MODE=hang")
	l.waitFor(t, "tests running")
	project := projectOf(t, l.seen)
	require.NotEmpty(t, leftovers(t, project), "the project is up while its tests run")
	l.signal(t, syscall.SIGINT)
	code, lines := l.wait(t)
	out := strings.Join(lines, "\n")
	requireNoLeftovers(t, project)
	assert.Equal(t, 130, code, out)
	assert.Contains(t, out, "tests see project="+project+" file="+filepath.Join(dir, "compose.yaml")+" image="+img.Ref)
	assert.Contains(t, out, "interrupted (interrupt signal received); project "+project+" torn down")
}

// sanityService writes a service whose test_sanity prints the URLs it is
// given.
func sanityService(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("test_sanity: sh ./sanity.sh\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sanity.sh"), []byte(`echo "sanity tests against $SANITY_URL and $ENTRYPOINT_SANITY_URL"`+"\n"), 0o644))
	return dir
}

func TestSanityWaitsForHealthThenRunsTheTests(t *testing.T) {
	t.Parallel()
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ready" {
			http.NotFound(w, r)
			return
		}
		if polls.Add(1) <= 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	env := []string{"ENTRYPOINT_LOG_FORMAT=json", "ENTRYPOINT_SANITY_URL=" + srv.URL + "/", "ENTRYPOINT_SANITY_HEALTH=ready"}
	code, lines := startInit(t, "entrypoint", env, "--dir", sanityService(t), "test_sanity").wait(t)
	out := strings.Join(lines, "\n")
	assert.Equal(t, 0, code, out)
	assert.EqualValues(t, 4, polls.Load(), "polled until the fourth answer was healthy")
	assert.Equal(t, 3, count(lines, `"msg":"step failed; retrying","step":"sanity health check"`), out)
	assert.Contains(t, out, fmt.Sprintf("sanity tests against %s/ and %s/", srv.URL, srv.URL))
}

func TestSanityDeadURLNeverRunsTheTests(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	env := []string{"ENTRYPOINT_LOG_FORMAT=json", "ENTRYPOINT_SANITY_URL=" + dead, "ENTRYPOINT_SANITY_TIMEOUT=1s"}
	code, lines := startInit(t, "entrypoint", env, "--dir", sanityService(t), "test_sanity").wait(t)
	out := strings.Join(lines, "\n")
	assert.Equal(t, 69, code, out)
	assert.Regexp(t, `not healthy within 1s \(\d+ attempts\): `+regexp.QuoteMeta(dead+"/health")+`: dial tcp .*connection refused`, out)
	assert.NotContains(t, out, "sanity tests against")
}
