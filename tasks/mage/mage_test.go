package mage

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/magefile/mage/mg"
	"github.com/stretchr/testify/require"
)

// The runner waits for every child of the test process while a task runs,
// so these tests run one at a time and start no other process meanwhile.

const procfile = `pass: true
fail: sh -c "exit 3"
killed: sh -c 'kill -TERM $$'
env: sh -c 'test "$GREETING" = hello'
here: sh -c "test -f requirements.txt"
`

func serviceDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte(procfile), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "requirements.txt"), nil, 0o644))
	return dir
}

func TestRunnerExitStatusReachesMage(t *testing.T) {
	dir := serviceDir(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := []string{"PATH=" + os.Getenv("PATH"), "GREETING=hello"}
	for _, tc := range []struct {
		name string
		code int
	}{
		{"pass", 0},
		{"fail", 3},
		{"killed", 143},
		{"env", 0},  // the task gets the runner's environment
		{"here", 0}, // the service directory is the working directory
		{"nope", 2},
		{"test_integration", 2},
		{"build", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Runner{Dir: dir, Env: env, Logger: quiet}.Run(context.Background(), tc.name)
			require.Equal(t, tc.code, mg.ExitStatus(err), "%v", err)
		})
	}
}

func TestRunnerReadsTheDirectoryFromEnv(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH"), "ENTRYPOINT_DIR=" + serviceDir(t)}
	err := Runner{Env: env, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}.Run(context.Background(), "here")
	require.NoError(t, err)
}
