package lifecycle

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// digestA is a digest for references in tests.
const digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func TestDeploySettingsDefaults(t *testing.T) {
	cfg, err := deploySettingsFrom(map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "swarm", "PORT": "9000"})
	require.NoError(t, err)
	assert.Equal(t, deploySettings{Target: "swarm", Timeout: 2 * time.Minute, Replicas: 1, Port: 9000}, cfg)

	cfg, err = deploySettingsFrom(map[string]string{
		"ENTRYPOINT_DEPLOY_TARGET":   "kubernetes",
		"ENTRYPOINT_DEPLOY_ARGS":     "--network  host -e PORT=8080 ",
		"ENTRYPOINT_DEPLOY_ENV":      "DB_URL, API_KEY",
		"ENTRYPOINT_DEPLOY_REPLICAS": "3",
		"ENTRYPOINT_DEPLOY_PORT":     "7000",
		"ENTRYPOINT_DEPLOY_TIMEOUT":  "90s",
		"PORT":                       "not used: ENTRYPOINT_DEPLOY_PORT is set",
		"DB_URL":                     "postgres://db/x",
		"API_KEY":                    "k",
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"--network", "host", "-e", "PORT=8080"}, cfg.Args)
	assert.Equal(t, []string{"DB_URL", "API_KEY"}, cfg.Env)
	assert.Equal(t, 3, cfg.Replicas)
	assert.True(t, cfg.replicasSet)
	assert.Equal(t, 7000, cfg.Port)
	assert.Equal(t, 90*time.Second, cfg.Timeout)
}

func TestDeploySettingsReportsEveryProblemAt78(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"no target", nil, []string{"ENTRYPOINT_DEPLOY_TARGET is not set: set it to docker, swarm or kubernetes"}},
		{"unknown target", map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "nomad"}, []string{`ENTRYPOINT_DEPLOY_TARGET: unknown target "nomad" (want docker, swarm or kubernetes)`}},
		{"all at once", map[string]string{
			"ENTRYPOINT_DEPLOY_TARGET":   "docker",
			"ENTRYPOINT_DEPLOY_TIMEOUT":  "soon",
			"ENTRYPOINT_DEPLOY_REPLICAS": "0",
			"ENTRYPOINT_DEPLOY_PORT":     "70000",
			"ENTRYPOINT_DEPLOY_ENV":      "UNSET,bad-name",
		}, []string{
			"ENTRYPOINT_DEPLOY_TIMEOUT: ",
			"ENTRYPOINT_DEPLOY_REPLICAS: want 1 or more, not 0",
			"ENTRYPOINT_DEPLOY_PORT: want a port from 1 to 65535, not 70000",
			"ENTRYPOINT_DEPLOY_ENV names UNSET, which is not set",
			`ENTRYPOINT_DEPLOY_ENV: "bad-name" is no variable name`,
		}},
		{"bad PORT", map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "kubernetes", "PORT": "http"}, []string{`PORT: "http" is no port number (set ENTRYPOINT_DEPLOY_PORT)`}},
		{"replicas not a number", map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "swarm", "ENTRYPOINT_DEPLOY_REPLICAS": "two"}, []string{"ENTRYPOINT_DEPLOY_REPLICAS: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := deploySettingsFrom(tc.env)
			require.Error(t, err)
			assert.Equal(t, exitcode.Config, exitcode.Of(err))
			assert.NotContains(t, err.Error(), "\n")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Len(t, strings.Split(err.Error(), "; "), len(tc.want), "%v", err)
		})
	}
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		target, name string
		ok           bool
	}{
		{"docker", "api_v2.blue", true},
		{"docker", "-api", false},
		{"swarm", "Api-2", true},
		{"swarm", "api_2", false},
		{"kubernetes", "api-2", true},
		{"kubernetes", "Api", false},
		{"kubernetes", strings.Repeat("a", 64), false},
	} {
		err := checkName(deploySettings{Target: tc.target}, tc.name)
		assert.Equal(t, tc.ok, err == nil, "%s %q: %v", tc.target, tc.name, err)
		if err != nil {
			assert.Equal(t, exitcode.Config, exitcode.Of(err))
			assert.Contains(t, err.Error(), "set ENTRYPOINT_DEPLOY_NAME")
		}
	}
	err := checkName(deploySettings{Target: "kubernetes", Name: "My_App"}, "My_App")
	assert.EqualError(t, err, `ENTRYPOINT_DEPLOY_NAME: "My_App" is no valid kubernetes name (want at most 63 lower-case letters, digits and '-', not starting or ending with '-')`)
}

func TestParseReference(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want reference
		str  string
	}{
		{"api", reference{Repo: "api"}, "api:latest"},
		{"api:v1", reference{Repo: "api", Tag: "v1"}, "api:v1"},
		{"127.0.0.1:5000/team/api", reference{Repo: "127.0.0.1:5000/team/api"}, "127.0.0.1:5000/team/api:latest"},
		{"127.0.0.1:5000/team/api:v1", reference{Repo: "127.0.0.1:5000/team/api", Tag: "v1"}, "127.0.0.1:5000/team/api:v1"},
		{"r.io/api@" + digestA, reference{Repo: "r.io/api", Digest: digestA}, "r.io/api@" + digestA},
		{"r.io/api:v1@" + digestA, reference{Repo: "r.io/api", Tag: "v1", Digest: digestA}, "r.io/api:v1@" + digestA},
	} {
		got, err := parseReference(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.str, got.String())
	}
	for _, bad := range []string{"", "api:", "r.io/", "api@sha256:abc", "api@md5:" + strings.Repeat("a", 64), "a b"} {
		_, err := parseReference(bad)
		assert.Error(t, err, "%q", bad)
	}
	ref, _ := parseReference("r.io/api:v1@" + digestA)
	assert.Equal(t, "r.io/api@"+digestA, ref.pinned())
	assert.Equal(t, "aaaaaaaaaaaa", ref.hex12())
}

func TestReleaseOptionsKeepWhatTheReleaseNeeds(t *testing.T) {
	args := []string{"-p", "8080:8080", "--network", "host", "--init", "-e", "A=1", "--env=B=2", "--name", "x",
		"--restart", "always", "-v", "/data:/data", "--mount", "type=bind,src=/a,dst=/b", "--read-only", "--user=1000", "--health-cmd", "true"}
	assert.Equal(t, []string{"--network", "host", "-e", "A=1", "--env=B=2", "-v", "/data:/data", "--mount", "type=bind,src=/a,dst=/b", "--user=1000"}, releaseOptions(args))
	assert.Empty(t, releaseOptions(nil))
}

// deployWith runs deploy as the front end would, in a dry run, and
// returns what it printed and its error.
func deployWith(t *testing.T, dir string, env map[string]string, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	reg, loadErr := tasks.Load(dir, env)
	require.NoError(t, loadErr)
	err = Run(context.Background(), tasks.Task{Name: "deploy", Dir: dir, Args: args, Builtin: true}, Service{Dir: dir, Env: env, Tasks: reg}, Options{Stdout: &out, Stderr: &errOut, DryRun: true})
	return out.String(), err
}

func TestDeployOperands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "kubernetes"}
	_, err := deployWith(t, dir, env, "a", "b")
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	assert.EqualError(t, err, `deploy takes one operand at most, an image reference (got "a b")`)
	_, err = deployWith(t, dir, env, "--now")
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	_, err = deployWith(t, dir, env, "api@sha256:0")
	assert.Equal(t, exitcode.Usage, exitcode.Of(err))
	assert.ErrorContains(t, err, "the image reference: ")

	env["ENTRYPOINT_DEPLOY_IMAGE"] = "api:"
	_, err = deployWith(t, dir, env)
	assert.Equal(t, exitcode.Config, exitcode.Of(err))
	assert.ErrorContains(t, err, `ENTRYPOINT_DEPLOY_IMAGE: "api:" is no image reference`)
}

func TestDeployOutsideGitNeedsAReference(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := t.TempDir()
	_, err := deployWith(t, dir, map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "kubernetes", "GIT_CEILING_DIRECTORIES": dir})
	assert.Equal(t, exitcode.Config, exitcode.Of(err))
	assert.ErrorContains(t, err, "(outside a git work tree, name the image: deploy REF or ENTRYPOINT_DEPLOY_IMAGE)")

	// With a reference, no git is needed, and the name is the repository's last element.
	out, err := deployWith(t, dir, map[string]string{"ENTRYPOINT_DEPLOY_TARGET": "kubernetes", "GIT_CEILING_DIRECTORIES": dir}, "r.io/team/shop-api@"+digestA)
	require.NoError(t, err)
	assert.Contains(t, out, "rollout status deployment/shop-api --timeout=2m0s\n")
}
