package mage

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		{"build", 78}, // a built-in's status: no git work tree here
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

// TestRunnerStopsTheTaskWhenCancelled: mage cancels the context on Ctrl-C;
// the task's tree is then stopped as SIGTERM would stop it.
func TestRunnerStopsTheTaskWhenCancelled(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte(`long: sh -c 'sleep 1000 & echo ready; wait'`+"\n"), 0o644))
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	runner := Runner{Dir: dir, Env: []string{"PATH=" + os.Getenv("PATH")}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: w}
	go func() { done <- runner.Run(ctx, "long") }()
	line := make([]byte, len("ready\n"))
	_, err = io.ReadFull(r, line)
	require.NoError(t, err)
	require.Equal(t, "ready\n", string(line))
	cancel()
	select {
	case err := <-done:
		require.Equal(t, 143, mg.ExitStatus(err), "%v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the task did not stop within 30s of the cancel")
	}
	w.Close()
}

func TestRunnerDryRunPrintsAndRunsNothing(t *testing.T) {
	dir := serviceDir(t)
	env := []string{"PATH=" + os.Getenv("PATH"), "ENTRYPOINT_DRY_RUN=1", "ENTRYPOINT_VERSION=1.0.0", "ENTRYPOINT_IMAGE=api"}
	for _, tc := range []struct{ task, want string }{
		{"fail", "# fail (procfile) in " + dir + "\ncd " + dir + ` && sh -c 'exit 3'` + "\n"},
		{"build", "# build (built-in) in " + dir + "\n"},
	} {
		t.Run(tc.task, func(t *testing.T) {
			out, err := os.CreateTemp(t.TempDir(), "stdout")
			require.NoError(t, err)
			defer out.Close()
			r := Runner{Dir: dir, Env: env, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: out, Stderr: out}
			require.NoError(t, r.Run(context.Background(), tc.task))
			printed, err := os.ReadFile(out.Name())
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(string(printed), tc.want), "%s", printed)
			if tc.task == "build" {
				require.Contains(t, string(printed), "\ndocker build --tag api:1.0.0 ", "the command a real build runs")
			}
		})
	}
}
