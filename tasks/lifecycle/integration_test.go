package lifecycle_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/tasks"
	"github.com/entrypoint/entrypoint/tasks/lifecycle"
)

// The compose project itself is brought up, tested and torn down by the
// end-to-end tests of the binary (entrypoint/lifecycle_integration_test.go);
// these check what a run prints and refuses before it starts anything.

// integrationTask is the declared test_integration of a service in dir.
func integrationTask(dir string) tasks.Task {
	return tasks.Task{Name: "test_integration", Source: "procfile", Dir: dir, Argv: []string{"go", "test", "./integration/..."}}
}

// composeService writes a service with a compose file into a directory
// named name.
func composeService(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  web:\n    image: ${ENTRYPOINT_IMAGE_REF}\n"), 0o644))
	return dir
}

// runIntegration runs test_integration of dir with env, RunTask failing
// the test: none of these runs may get as far as the tests.
func runIntegration(t *testing.T, dir string, env map[string]string, dryRun bool) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	o := lifecycle.Options{Stdout: &out, Stderr: &errOut, DryRun: dryRun, RunTask: func(context.Context, tasks.Task) int {
		t.Error("the declared tests ran")
		return 0
	}}
	err = lifecycle.Run(context.Background(), integrationTask(dir), lifecycle.Service{Dir: dir, Env: env}, o)
	return out.String(), errOut.String(), err
}

func TestIntegrationDryRunPrintsTheWholeRun(t *testing.T) {
	needs.Command(t, "docker-compose")
	dir := composeService(t, "orders")
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
		return strings.TrimSpace(string(out))
	}
	git("init", "--quiet")
	git("add", ".")
	git("commit", "--quiet", "--message", "the service")
	short := git("rev-parse", "HEAD")[:12]

	stdout, _, err := runIntegration(t, dir, map[string]string{"ENTRYPOINT_REGISTRY": "registry.example.com:5000"}, true)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^(docker compose|docker-compose) -p (orders-it-[0-9a-f]{8}) -f `).FindStringSubmatch(stdout)
	require.NotNil(t, m, "no compose line in:\n%s", stdout)
	compose := m[1] + " -p " + m[2] + " -f " + filepath.Join(dir, "compose.yaml")
	ref := "registry.example.com:5000/orders:" + short
	assert.Equal(t, "export ENTRYPOINT_IMAGE_REF="+ref+`
`+compose+` up -d
# wait until every container of `+m[2]+` is healthy, or running when it has no healthcheck (deadline 2m0s); the tests also get SERVICE_ADDR and SERVICE_URL for each service that publishes a TCP port
export COMPOSE_FILE=`+filepath.Join(dir, "compose.yaml")+` COMPOSE_PROJECT_NAME=`+m[2]+` ENTRYPOINT_IMAGE_REF=`+ref+`
cd `+dir+` && go test ./integration/...
`+compose+` down -v --remove-orphans
`, stdout)
}

func TestIntegrationRefusesBeforeStartingAnything(t *testing.T) {
	needs.Command(t, "docker-compose")
	for _, tc := range []struct {
		name string
		env  map[string]string
		code int
		msg  string
	}{
		{"a bad deadline", map[string]string{"ENTRYPOINT_IMAGE_REF": "x:1", "ENTRYPOINT_INTEGRATION_TIMEOUT": "soon"}, exitcode.Config,
			`ENTRYPOINT_INTEGRATION_TIMEOUT="soon" is no duration: set it to one such as 90s or 5m`},
		{"no compose file", map[string]string{"ENTRYPOINT_IMAGE_REF": "x:1", "ENTRYPOINT_COMPOSE_FILE": "ci/compose.yaml"}, exitcode.Config,
			"ci/compose.yaml: no such file or directory: set ENTRYPOINT_COMPOSE_FILE to the service's compose file"},
		{"no image outside git", map[string]string{"GIT_CEILING_DIRECTORIES": os.TempDir()}, exitcode.Config,
			"is in no git work tree with a commit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := composeService(t, "svc")
			tc.env["PATH"] = os.Getenv("PATH")
			_, _, err := runIntegration(t, dir, tc.env, false)
			require.Error(t, err)
			assert.Equal(t, tc.code, exitcode.Of(err), "%v", err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

// TestIntegrationWithoutComposeCLI changes PATH, so it runs alone.
func TestIntegrationWithoutComposeCLI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, err := runIntegration(t, composeService(t, "svc"), map[string]string{"ENTRYPOINT_IMAGE_REF": "x:1"}, true)
	require.Error(t, err)
	assert.Equal(t, exitcode.Config, exitcode.Of(err))
	assert.Equal(t, "no compose CLI: neither `docker compose` works nor docker-compose is on PATH; install one (Debian: apt-get install docker-compose)", err.Error())
}
