package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// preludeImage is FROM scratch with the binary, busybox, the test child,
// an /etc/passwd and /etc/group naming one user, a /data directory owned
// by root, and a HEALTHCHECK that needs no shell and no curl.
func preludeImage(t *testing.T) *dockertest.Image {
	t.Helper()
	needs.Docker(t)
	bins := e2eBins(t)
	busybox := dockertest.Static(t, needs.Command(t, "busybox"))
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	links := map[string]string{}
	for _, a := range []string{"sh", "ls", "touch", "cat"} {
		links["bin/"+a] = "busybox"
	}
	return dockertest.Build(t, dockertest.Context{
		Dockerfile: `FROM scratch
COPY bin/ /bin/
COPY etc/ /etc/
COPY data/ /data/
COPY entrypoint /usr/local/bin/entrypoint
COPY testchild /testchild
HEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD ["/usr/local/bin/entrypoint","healthcheck","http://127.0.0.1:8080/health"]
ENTRYPOINT ["/usr/local/bin/entrypoint"]
`,
		Files: map[string]string{
			"bin/busybox": busybox, "entrypoint": bins.entrypoint, "testchild": bins.testchild,
			"etc/passwd":   write("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"),
			"etc/group":    write("group", "root:x:0:\napp:x:1000:\nstaff:x:50:app\n"),
			"data/cache/a": write("a", "a\n"),
		},
		Links: links,
	})
}

func TestDockerPreludeDropsToANumericUserAndChowns(t *testing.T) {
	img := preludeImage(t)
	// 2000 is in no /etc file: numeric ids need none.
	r := img.Run(t, append([]string{"-e", "ENTRYPOINT_USER=2000:2000", "-e", "ENTRYPOINT_CHOWN=/data"}, offline...),
		"--", "sh", "-c", "/testchild status; ls -ln /data/cache; touch /data/cache/b && echo wrote")
	require.Equal(t, 0, r.Code, "%v", r)
	for _, want := range []string{" uid=2000 ", " gid=2000 ", " groups=[2000] ", " home=/ ", " capeff=0000000000000000 ", " nonewprivs=1"} {
		assert.Contains(t, r.Stdout, want, "%v", r)
	}
	assert.Contains(t, r.Stdout, " 2000     2000 ", "chowned to 2000:2000: %v", r)
	assert.Contains(t, r.Stdout, "wrote\n")
	assert.Contains(t, r.Stdout, `"msg":"privileges dropped"`)
}

func TestDockerPreludeDropsToANamedUserWithItsGroups(t *testing.T) {
	img := preludeImage(t)
	for _, tc := range []struct{ spec, want string }{
		{"app", " uid=1000 gid=1000 groups=[50 1000] home=/home/app "},
		{"1000", " uid=1000 gid=1000 groups=[50 1000] home=/home/app "},
		{"app:staff", " uid=1000 gid=50 groups=[50] home=/home/app "},
		{"4000", " uid=4000 gid=0 groups=[0] home=/ "},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			t.Parallel()
			r := img.Run(t, offline, "--user", tc.spec, "--", "/testchild", "status")
			require.Equal(t, 0, r.Code, "%v", r)
			assert.Contains(t, r.Stdout, tc.want, "%v", r)
			assert.Contains(t, r.Stdout, " capeff=0000000000000000 nonewprivs=1")
		})
	}
}

func TestDockerHealthcheckTurnsHealthyThenUnhealthy(t *testing.T) {
	img := preludeImage(t)
	c := img.Start(t, offline, "--", "/testchild", "serve", "127.0.0.1:8080")
	c.WaitLog(t, "serving", time.Minute)
	waitHealth(t, c, "healthy", time.Minute)
	c.Engine.Output(t, "kill", "--signal", "USR1", c.ID)
	c.WaitLog(t, "unhealthy", time.Minute)
	waitHealth(t, c, "unhealthy", time.Minute)
	log := c.Engine.Output(t, "inspect", "--format", "{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}", c.ID)
	assert.Contains(t, log, "1 unhealthy: http://127.0.0.1:8080/health: status 503", "docker keeps the one line saying why")
	took := c.Stop(t, 30*time.Second)
	assert.Equal(t, 0, c.ExitCode(t), "logs:\n%s", c.Logs(t))
	t.Logf("docker stop took %v", took)
}

// waitHealth polls docker inspect's health status until it is want.
func waitHealth(t *testing.T, c *dockertest.Container, want string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	status := ""
	for {
		status = strings.TrimSpace(c.Engine.Output(t, "inspect", "--format", "{{.State.Health.Status}}", c.ID))
		if status == want {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("health status still %q, not %q, after %v; logs:\n%s", status, want, timeout, c.Logs(t))
		case <-tick.C:
		}
	}
}

func TestDockerPreludeSecretAndPreStopUnderDockerStop(t *testing.T) {
	img := preludeImage(t)
	secret := randomSecret(t)
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "db_password"), []byte(secret+"\n"), 0o644))
	c := img.Start(t, append([]string{
		"-v", dir + ":/run/secrets:ro", "-e", "DB_PASSWORD_FILE=/run/secrets/db_password",
		"-e", "ENTRYPOINT_REQUIRE=DB_PASSWORD", "-e", "ENTRYPOINT_LOG_LEVEL=debug",
		"-e", "ENTRYPOINT_PRESTOP=/testchild env HOOK", "-e", "HOOK=draining",
	}, offline...), "--", "sh", "-c", `/testchild env DB_PASSWORD; exec /testchild print-signals`)
	c.WaitLog(t, "ready", time.Minute)
	c.Stop(t, 30*time.Second)
	logs := c.Logs(t)
	require.Equal(t, 0, c.ExitCode(t), "logs:\n%s", logs)
	assert.Less(t, lineIndex(logs, "HOOK=draining"), lineIndex(logs, "signal 15"), "prestop before the service's SIGTERM:\n%s", logs)
	assert.Equal(t, 1, strings.Count(logs, secret), "only the service prints the secret:\n%s", logs)
	assert.Contains(t, logs, "DB_PASSWORD="+secret+"\n")
}
