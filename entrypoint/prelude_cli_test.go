package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runPreludeCLI drives the CLI core in-process, for what starts no child.
func runPreludeCLI(env []string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"entrypoint"}, args...), env, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestEnvPrintsTheEffectiveConfigurationSortedAndRedacted(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte("tok-value\n"), 0o600))
	code, out, errOut := runPreludeCLI([]string{
		"ENTRYPOINT_WAIT_TIMEOUT=3s", "ENTRYPOINT_WAIT=http://u:pw@api:8080/health",
		"API_TOKEN_FILE=" + file, "DB_PASSWORD=hunter2", "PLAIN=visible", "SSL_CERT_FILE=/etc/ssl/ca.pem",
	}, "--wait-timeout", "4s", "--wait", "tcp://db:5432", "env")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	assert.True(t, slices.IsSorted(lines), "sorted:\n%s", out)
	for _, want := range []string{
		"ENTRYPOINT_WAIT_TIMEOUT=4s",                                   // the flag over the env twin
		"ENTRYPOINT_WAIT=http://u:xxxxx@api:8080/health,tcp://db:5432", // a repeatable flag adds; passwords hidden
		"ENTRYPOINT_WAIT_PROGRESS=5s",                                  // defaults shown
		"ENTRYPOINT_STOP_TIMEOUT=10s",                                  // the init's settings too
		"API_TOKEN=<redacted, 9 bytes>",                                // from a file
		"DB_PASSWORD=<redacted, 7 bytes>",                              // a secret-looking name
		"PLAIN=visible",
		"SSL_CERT_FILE=/etc/ssl/ca.pem", // a path, not a secret
	} {
		assert.Contains(t, lines, want)
	}
	assert.NotContains(t, out, "tok-value")
	assert.NotContains(t, out, "hunter2")
	assert.NotContains(t, out, "API_TOKEN_FILE")
}

func TestHelpListsEveryPreludeSetting(t *testing.T) {
	t.Parallel()
	code, out, _ := runPreludeCLI(nil, "-h")
	require.Equal(t, 0, code)
	for _, d := range preludeFlags {
		assert.Contains(t, out, "--"+d.long)
		assert.Contains(t, out, "["+d.env+"]")
	}
}

func TestMalformedPreludeSettingsAreAllReportedBeforeAnythingRuns(t *testing.T) {
	t.Parallel()
	code, _, errOut := runPreludeCLI([]string{
		"ENTRYPOINT_REQUIRE=PORT:float", "ENTRYPOINT_WAIT=ftp://x", "ENTRYPOINT_PRESTART=echo 'unterminated",
		"ENTRYPOINT_CHOWN=/data",
	}, "--", "/no/such/command")
	assert.Equal(t, 78, code, errOut)
	for _, want := range []string{"ENTRYPOINT_REQUIRE: ", "ENTRYPOINT_WAIT: ", "ENTRYPOINT_PRESTART: ", "ENTRYPOINT_CHOWN: needs a user"} {
		assert.Contains(t, errOut, "\n  "+want)
	}
}

func TestHealthcheckUsageErrors(t *testing.T) {
	t.Parallel()
	code, _, errOut := runPreludeCLI(nil, "healthcheck", "--timeout", "soon")
	assert.Equal(t, 2, code, errOut)
	code, _, errOut = runPreludeCLI(nil, "healthcheck", "ftp://x")
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(errOut, "unhealthy: "), errOut)
}
