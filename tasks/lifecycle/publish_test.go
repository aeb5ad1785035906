package lifecycle

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// publishEnv is a service's publish settings with a registry and
// credentials.
func publishEnv(more map[string]string) map[string]string {
	env := map[string]string{
		"ENTRYPOINT_REGISTRY": "127.0.0.1:5000", "ENTRYPOINT_IMAGE": "acme/api",
		"ENTRYPOINT_REGISTRY_USER": "ci", "ENTRYPOINT_REGISTRY_PASSWORD": "hunter2-secret",
	}
	for k, v := range more {
		env[k] = v
	}
	return env
}

func TestPublishDryRunPrintsLoginAndPushes(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile})
	short := gitIn(t, dir, "rev-parse", "--short=12", "HEAD")
	o := lifecycleRun(t, dir, publishEnv(map[string]string{"ENTRYPOINT_TAGS": "latest"}), dryRunOptions, "publish", "--tag", "v1")
	require.NoError(t, o.err, o.stderr)
	ref := "127.0.0.1:5000/acme/api:"
	assert.Equal(t, `printf %s "$ENTRYPOINT_REGISTRY_PASSWORD" | docker login --username ci --password-stdin 127.0.0.1:5000
docker push `+ref+short+`
docker inspect --format '{{json .RepoDigests}}' `+ref+short+`
docker tag `+ref+short+` `+ref+`main
docker push `+ref+`main
docker inspect --format '{{json .RepoDigests}}' `+ref+`main
docker tag `+ref+short+` `+ref+`v1
docker push `+ref+`v1
docker inspect --format '{{json .RepoDigests}}' `+ref+`v1
docker tag `+ref+short+` `+ref+`latest
docker push `+ref+`latest
docker inspect --format '{{json .RepoDigests}}' `+ref+`latest
`, o.stdout)
	assert.NotContains(t, o.stdout+o.stderr+o.log, "hunter2")
}

func TestPublishDryRunReadsThePasswordFile(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile})
	file := filepath.Join(t.TempDir(), "password")
	require.NoError(t, os.WriteFile(file, []byte("hunter2-secret\n"), 0o600))
	env := publishEnv(map[string]string{"ENTRYPOINT_REGISTRY_PASSWORD": "", "ENTRYPOINT_REGISTRY_PASSWORD_FILE": file})
	o := lifecycleRun(t, dir, env, dryRunOptions, "publish")
	require.NoError(t, o.err)
	assert.True(t, strings.HasPrefix(o.stdout, `cat "$ENTRYPOINT_REGISTRY_PASSWORD_FILE" | docker login --username ci --password-stdin 127.0.0.1:5000`+"\n"), o.stdout)

	reg, err := registryOf("127.0.0.1:5000/acme/api", serviceEnv(env))
	require.NoError(t, err)
	assert.Equal(t, "hunter2-secret", reg.password, "one trailing newline removed, as docker login does")
}

func TestPublishPromoteDryRun(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile})
	short := gitIn(t, dir, "rev-parse", "--short=12", "HEAD")
	ref := "127.0.0.1:5000/acme/api"
	noLogin := map[string]string{"ENTRYPOINT_REGISTRY_USER": "", "ENTRYPOINT_REGISTRY_PASSWORD": ""}
	for _, tc := range []struct {
		env        map[string]string
		args       []string
		name, from string
	}{
		{nil, []string{"--promote", "rc"}, "rc", short},
		{nil, []string{"--promote", "prod", "--from", "rc"}, "prod", "rc"},
		{map[string]string{"ENTRYPOINT_PROMOTE": "prod", "ENTRYPOINT_PROMOTE_FROM": "rc"}, nil, "prod", "rc"},
		{map[string]string{"ENTRYPOINT_PROMOTE": "prod"}, []string{"--promote", "rc"}, "rc", short}, // the flag wins
	} {
		env := publishEnv(noLogin)
		for k, v := range tc.env {
			env[k] = v
		}
		o := lifecycleRun(t, dir, env, dryRunOptions, "publish", tc.args...)
		require.NoError(t, o.err)
		name := tc.name
		assert.Equal(t, `docker pull `+ref+`:`+tc.from+`
docker inspect --format '{{json .RepoDigests}}' `+ref+`:`+tc.from+`
docker tag '`+ref+`@<digest of `+ref+`:`+tc.from+`>' `+ref+`:`+name+`
docker push `+ref+`:`+name+`
docker inspect --format '{{json .RepoDigests}}' `+ref+`:`+name+`
`, o.stdout, "no login without credentials (the CLI's stored one is used), no build")
	}
}

func TestPublishArgumentAndSettingErrors(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile})
	assertFailures(t, dir, "publish", publishEnv(nil), []failure{
		{"stray operand", nil, []string{"rc"}, 2, `unexpected argument "rc" (publish accepts --from TAG, --promote NAME, --tag NAME)`},
		{"no passthrough", nil, []string{"--", "--quiet"}, 2, `unexpected argument "--quiet"`},
		{"from without promote", nil, []string{"--from", "rc"}, 2, "--from rc (or ENTRYPOINT_PROMOTE_FROM) needs --promote NAME (or ENTRYPOINT_PROMOTE)"},
		{"promote with tag", nil, []string{"--promote", "rc", "--tag", "x"}, 2, "--tag and --promote (or ENTRYPOINT_PROMOTE) do not go together"},
		{"invalid ENTRYPOINT_PROMOTE", map[string]string{"ENTRYPOINT_PROMOTE": "r c"}, []string{"--promote", "rc"}, 78, `ENTRYPOINT_PROMOTE: "r c" is no valid tag`},
		{"invalid promote name", nil, []string{"--promote", "r c"}, 2, `"r c" is no valid tag`},
		{"user without password", map[string]string{"ENTRYPOINT_REGISTRY_PASSWORD": ""}, nil, 78,
			"the credentials for 127.0.0.1:5000 are incomplete: set both ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD (or ENTRYPOINT_REGISTRY_PASSWORD_FILE)"},
		{"password without user", map[string]string{"ENTRYPOINT_REGISTRY_USER": ""}, nil, 78, "set both ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD"},
		{"unreadable password file", map[string]string{"ENTRYPOINT_REGISTRY_PASSWORD": "", "ENTRYPOINT_REGISTRY_PASSWORD_FILE": "/nonexistent/pw"}, nil, 78,
			"ENTRYPOINT_REGISTRY_PASSWORD_FILE: open /nonexistent/pw: no such file or directory"},
		{"password and its file", map[string]string{"ENTRYPOINT_REGISTRY_PASSWORD_FILE": "/nonexistent/pw"}, nil, 78, "ENTRYPOINT_REGISTRY_PASSWORD is also set; set only one of them"},
		{"no registry", map[string]string{"ENTRYPOINT_REGISTRY": ""}, nil, 78, "acme/api names no registry to push to: set ENTRYPOINT_REGISTRY"},
		{"every setting at once", map[string]string{"ENTRYPOINT_REGISTRY_USER": "", "ENTRYPOINT_TAGS": "-x"}, nil, 78,
			`ENTRYPOINT_TAGS: "-x" is no valid tag: letters, digits, _ . - (at most 128), not starting with . or -; the credentials for 127.0.0.1:5000 are incomplete`},
	})
}

func TestRegistryFailuresAreToldApart(t *testing.T) {
	reg := registry{host: "127.0.0.1:5000"}
	for _, tc := range []struct {
		stderr    string
		transient bool
		code      int
		msg       string
	}{
		{"Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized", false, 78,
			"127.0.0.1:5000 refused the credentials (unauthorized): set ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD (or _FILE) for it"},
		{"no basic auth credentials", false, 78, "refused the credentials (no basic auth credentials)"},
		{"unauthorized: authentication required", false, 78, "(authentication required)"},
		{"denied: requested access to the resource is denied", false, 78, "(denied)"},
		{"Error response from daemon: pull access denied for acme/api, repository does not exist or may require 'docker login'", false, 78, "(access denied)"},
		{"permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock", false, 1, "exit status 1: permission denied while"},
		{"Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", false, 1, "Cannot connect"},
		{"received unexpected HTTP status: 403 Forbidden", false, 78, "(forbidden)"},
		{`Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused`, true, 1, "gave up after 5 attempts: "},
		{"read tcp 127.0.0.1:1->127.0.0.1:5000: read: connection reset by peer", true, 1, "gave up after 5 attempts"},
		{"net/http: TLS handshake timeout", true, 1, "gave up"},
		{"received unexpected HTTP status: 503 Service Unavailable", true, 1, "gave up"},
		{"received unexpected HTTP status: 502 Bad Gateway", true, 1, "gave up"},
		{"toomanyrequests: You have reached your pull rate limit", true, 1, "gave up"},
		{"Put \"http://127.0.0.1:5000/v2/acme/api/blobs/uploads/\": EOF", true, 1, "gave up"},
		{"tag does not exist: 127.0.0.1:5000/acme/api:abc", false, 1, "127.0.0.1:5000/acme/api:abc was not built here: run build first"},
		{"An image does not exist locally with the tag: 127.0.0.1:5000/acme/api", false, 1, "was not built here"},
		{"Error response from daemon: manifest for 127.0.0.1:5000/acme/api:rc not found: manifest unknown: manifest unknown", false, 1,
			"127.0.0.1:5000/acme/api:abc is not in the registry: publish it first"},
		{"invalid reference format", false, 1, "docker push x: exit status 1: invalid reference format"},
		{"layer sha256:5003a0b1 blob upload invalid", false, 1, "blob upload invalid"},
	} {
		err := &CommandError{Line: "docker push x", Status: 1, Stderr: "The push refers to repository\n" + tc.stderr + "\n", Err: errors.New("exit status 1")}
		assert.Equal(t, tc.transient, transient(err), tc.stderr)
		explained := reg.explain(context.Background(), err, "127.0.0.1:5000/acme/api:abc")
		assert.Equal(t, tc.code, exitcode.Of(explained), tc.stderr)
		assert.Contains(t, explained.Error(), tc.msg)
	}
	assert.False(t, transient(errors.New("connection refused")), "only a tool's failure is told apart")
}

func TestRegistryHostAndImageNames(t *testing.T) {
	for repo, host := range map[string]string{
		"127.0.0.1:5000/api": "127.0.0.1:5000", "ghcr.io/acme/api": "ghcr.io", "localhost/api": "localhost",
		"registry:5000/a/b": "registry:5000", "acme/api": "", "api": "", "ghcr.io": "",
	} {
		got, ok := registryHost(repo)
		assert.Equal(t, host, got, repo)
		assert.Equal(t, host != "", ok, repo)
	}
	for repo, valid := range map[string]bool{
		"api": true, "acme/api-v2": true, "a__b/c.d": true, "127.0.0.1:5000/acme/api": true, "ghcr.io/Acme/api": false,
		"Api": false, "api:v1": false, "-api": false, "api-": false, "a..b": false, "": false, "my.Registry.io/x": true,
	} {
		assert.Equal(t, valid, validRepo(repo), repo)
	}
	assert.Equal(t, "hello-world_2", defaultName("/src/Hello World_2"))
	assert.Equal(t, "feature-login", tagSafe("feature/login"))
}
