package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/needs"
)

// These tests run the real binary, natively, with the prelude configured
// from its environment and flags, and look at its status and output.

// preludeRun is one run of the binary, its stdout and stderr on one pipe.
type preludeRun struct{ *liveInit }

// startPrelude starts the binary with env on top of PATH and JSON logs,
// and args; the test's end stops it.
func startPrelude(t *testing.T, env []string, args ...string) *preludeRun {
	t.Helper()
	environment := append([]string{"PATH=" + os.Getenv("PATH"), "ENTRYPOINT_LOG_FORMAT=json"}, env...)
	return &preludeRun{launch(t, "entrypoint", environment, args...)}
}

// until reads the output until a line holds want.
func (p *preludeRun) until(t *testing.T, want string) {
	t.Helper()
	p.waitFor(t, want)
}

// output is what was read so far.
func (p *preludeRun) output() string { return strings.Join(p.seen, "\n") + "\n" }

// wait reads the rest of the output and returns the exit status with it.
func (p *preludeRun) wait(t *testing.T) (int, string) {
	t.Helper()
	code, _ := p.liveInit.wait(t)
	return code, p.output()
}

// runPrelude runs the binary to its end.
func runPrelude(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	return startPrelude(t, env, args...).wait(t)
}

func TestPreludeConfigErrorListsEveryVariableAndExits78(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	code, out := runPrelude(t, []string{
		"ENTRYPOINT_REQUIRE=DATABASE_URL,PORT:int,TIMEOUT:duration,API_URL:url,EMPTY",
		"PORT=abc", "TIMEOUT=30s", "API_URL=not a url", "EMPTY=",
	}, "--", bins.testchild, "env", "STARTED")
	assert.Equal(t, 78, code, out)
	for _, line := range []string{"DATABASE_URL: not set", `PORT: "abc" is not an int`, "API_URL: ", "EMPTY: set but empty"} {
		assert.Contains(t, out, "\n  "+line, "one line each")
	}
	assert.NotContains(t, out, "TIMEOUT:")
	assert.NotContains(t, out, "STARTED", "nothing started")
	assert.NotContains(t, out, `"msg":"started"`)
}

func TestPreludeSecretFileReachesTheChildAndNoLog(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	secret := randomSecret(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "db_password")
	require.NoError(t, os.WriteFile(file, []byte(secret+"\n"), 0o600))
	env := []string{"DB_PASSWORD_FILE=" + file, "PLAIN_FILE=" + file, "ENTRYPOINT_REQUIRE=DB_PASSWORD:/^[0-9a-f]+$/,PLAIN", "ENTRYPOINT_LOG_LEVEL=debug"}

	code, out := runPrelude(t, env, "-v", "--", bins.testchild, "env", "DB_PASSWORD", "DB_PASSWORD_FILE", "PLAIN")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "DB_PASSWORD="+secret+"\n")
	assert.Contains(t, out, "DB_PASSWORD_FILE unset\n")
	assert.Contains(t, out, `"msg":"secrets resolved"`)
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, secret) {
			assert.Contains(t, []string{"DB_PASSWORD=" + secret, "PLAIN=" + secret}, line, "only the child prints the secret")
		}
	}

	code, out = runPrelude(t, env, "env")
	require.Equal(t, 0, code, out)
	assert.NotContains(t, out, secret)
	assert.Contains(t, out, "DB_PASSWORD=<redacted, 32 bytes>\n")
	assert.Contains(t, out, "PLAIN=<redacted, 32 bytes>\n", "a value from a file is redacted whatever its name")

	t.Run("both set", func(t *testing.T) {
		code, out := runPrelude(t, append(env, "DB_PASSWORD="+secret), "--", bins.testchild, "exit", "0")
		assert.Equal(t, 78, code, out)
		assert.Contains(t, out, "DB_PASSWORD_FILE="+file)
		assert.NotContains(t, out, secret)
	})
	t.Run("unreadable", func(t *testing.T) {
		code, out := runPrelude(t, []string{"API_TOKEN_FILE=" + filepath.Join(dir, "missing")}, "--", bins.testchild, "exit", "0")
		assert.Equal(t, 78, code, out)
		assert.Contains(t, out, "API_TOKEN_FILE")
		assert.Contains(t, out, filepath.Join(dir, "missing"))
	})
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// freeAddr is a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestPreludeWaitsForDependenciesThatComeUpLate(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	tcpAddr, httpAddr := freeAddr(t), freeAddr(t)
	p := startPrelude(t, []string{"ENTRYPOINT_WAIT=tcp://" + tcpAddr + ",http://" + httpAddr + "/health", "ENTRYPOINT_WAIT_TIMEOUT=45s"},
		"--", bins.testchild, "env", "STARTED")
	p.until(t, `"msg":"waiting for dependencies"`)
	require.NotContains(t, p.output(), "STARTED")

	ln, err := net.Listen("tcp", tcpAddr)
	require.NoError(t, err)
	defer ln.Close()
	hl, err := net.Listen("tcp", httpAddr)
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}
	go srv.Serve(hl)
	defer srv.Close()

	code, out := p.wait(t)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, `"msg":"dependencies ready"`)
	assert.Less(t, strings.Index(out, `"msg":"dependencies ready"`), strings.Index(out, "STARTED unset"), "the child starts after the wait")
}

func TestPreludeWaitDeadlineExits69(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	addr := freeAddr(t)
	code, out := runPrelude(t, []string{"ENTRYPOINT_WAIT=tcp://" + addr, "ENTRYPOINT_WAIT_TIMEOUT=1s"}, "--", bins.testchild, "env", "STARTED")
	assert.Equal(t, 69, code, out)
	assert.Contains(t, out, "tcp://"+addr+": ")
	assert.Contains(t, out, "connection refused", "the last error of the dependency")
	assert.NotContains(t, out, "STARTED")
}

func TestPreludeUserDropNatively(t *testing.T) {
	needs.Root(t)
	t.Parallel()
	bins := e2eBins(t)
	code, out := runPrelude(t, nil, "--user", "4242:4243", "--", bins.testchild, "status")
	require.Equal(t, 0, code, out)
	for _, want := range []string{" uid=4242 ", " gid=4243 ", " groups=[4243] ", " home=/ ", " capeff=0000000000000000 ", " nonewprivs=1"} {
		assert.Contains(t, out, want)
	}
	assert.Contains(t, out, `"msg":"privileges dropped"`)
}

func TestPreludeDropWhenNotRootIsAClearError(t *testing.T) {
	needs.Root(t) // to become another user
	t.Parallel()
	bins := e2eBins(t)
	p := exec.Command(bins.entrypoint, "--user", "0", "--", bins.testchild, "exit", "0")
	p.Env = []string{"ENTRYPOINT_LOG_FORMAT=json"}
	p.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 4242, Gid: 4242}}
	out, err := p.CombinedOutput()
	assert.Equal(t, 1, exitStatus(t, err), "%s", out)
	assert.Contains(t, string(out), "cannot run as")
	assert.Equal(t, 1, strings.Count(strings.TrimSpace(string(out)), "\n")+1, "one line: %s", out)
}

func TestPreludeIsEntrypointsNotTheDropInPersonalities(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	link := filepath.Join(t.TempDir(), "docker-init")
	require.NoError(t, os.Symlink(bins.entrypoint, link))
	p := exec.Command(link, "--", bins.testchild, "env", "DB_PASSWORD_FILE")
	p.Env = []string{"TINI_SUBREAPER=1", "ENTRYPOINT_REQUIRE=MISSING", "ENTRYPOINT_USER=4242", "DB_PASSWORD_FILE=/no/such/file"}
	out, err := p.CombinedOutput()
	assert.Equal(t, 0, exitStatus(t, err), "%s", out)
	assert.Equal(t, "DB_PASSWORD_FILE=/no/such/file\n", string(out), "docker --init leaves the prelude to the image's entrypoint")
}

func TestPreludeStopSignalDuringAWaitEndsIt(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	p := startPrelude(t, []string{"ENTRYPOINT_WAIT=tcp://" + freeAddr(t)}, "--", bins.testchild, "env", "STARTED")
	p.until(t, `"msg":"waiting for dependencies"`)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, out := p.wait(t)
	assert.Equal(t, 143, code, out)
	assert.Contains(t, out, "stopped by SIGTERM before the child started")
	assert.NotContains(t, out, "STARTED")
}

func TestPreludeUserDropAsPID1OfAPIDNamespace(t *testing.T) {
	needs.PIDNamespace(t)
	t.Parallel()
	bins := e2eBins(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--pid", "--fork", "--mount-proc", bins.entrypoint, "--user", "4242:4243", "--", bins.testchild, "status")
	cmd.Env = []string{"ENTRYPOINT_LOG_FORMAT=json"}
	out, err := cmd.CombinedOutput()
	require.Equal(t, 0, exitStatus(t, err), "%s", out)
	for _, want := range []string{" ppid=1 ", " uid=4242 ", " gid=4243 ", " groups=[4243] ", " home=/ ", " capeff=0000000000000000 ", " nonewprivs=1"} {
		assert.Contains(t, string(out), want)
	}
}

func TestPreludePreStartOverrunIsKilledAndNamed(t *testing.T) {
	t.Parallel()
	bins := e2eBins(t)
	code, out := runPrelude(t, []string{"ENTRYPOINT_HOOK_TIMEOUT=300ms", "ENTRYPOINT_PRESTART=" + bins.testchild + " sleep"}, "--", bins.testchild, "env", "STARTED")
	assert.Equal(t, 137, code, out)
	assert.Contains(t, out, `"msg":"hook overran its timeout; killed","hook":"prestart"`)
	assert.NotContains(t, out, "STARTED")
}
