package lifecycle

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// gitIsolated keeps the machine's git configuration (signing, hooks,
// default branch) out of the tests, and fixes the commit's author and
// date so that its hash is the same on every run.
var gitIsolated = map[string]string{
	"GIT_CONFIG_GLOBAL":   os.DevNull,
	"GIT_CONFIG_NOSYSTEM": "1",
	"GIT_AUTHOR_NAME":     "Test",
	"GIT_AUTHOR_EMAIL":    "test@example.com",
	"GIT_AUTHOR_DATE":     "2024-01-02T03:04:05Z",
	"GIT_COMMITTER_NAME":  "Test",
	"GIT_COMMITTER_EMAIL": "test@example.com",
	"GIT_COMMITTER_DATE":  "2024-01-02T03:04:05Z",
}

// commitService writes files into a new git work tree on branch main,
// commits them, and returns its directory.
func commitService(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	gitIn(t, dir, "init", "--quiet", "--initial-branch=main")
	for name, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "--quiet", "--message", "the service")
	return dir
}

// gitIn runs git in dir, isolated, and returns its output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range gitIsolated {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %q: %s", args, out)
	return string(bytes.TrimSpace(out))
}

// serviceEnv is a service's environment: PATH, git isolated, and env.
func serviceEnv(env map[string]string) map[string]string {
	all := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.TempDir()}
	for k, v := range gitIsolated {
		all[k] = v
	}
	for k, v := range env {
		all[k] = v
	}
	return all
}

// taskOutcome is what a lifecycle task run left: its status, its stdout, its
// stderr (the printed commands, the tools' output) and its log.
type taskOutcome struct {
	code                int
	stdout, stderr, log string
	err                 error
}

// lifecycleRun runs task name of the service in dir, its Procfile loaded,
// with args, as the binary would (dry or not), the front end's RunTask
// being runTask (nil: run the command directly).
func lifecycleRun(t *testing.T, dir string, env map[string]string, o Options, name string, args ...string) taskOutcome {
	t.Helper()
	env = serviceEnv(env)
	reg, err := tasks.Load(dir, env)
	require.NoError(t, err)
	var stdout, stderr, log bytes.Buffer
	o.Stdout, o.Stderr, o.Logger = &stdout, &stderr, slog.New(slog.NewJSONHandler(&log, nil))
	task := tasks.Task{Name: name, Source: tasks.SourceBuiltin, Dir: dir, Args: args, Builtin: true}
	err = Run(context.Background(), task, Service{Dir: dir, Env: env, Tasks: reg}, o)
	return taskOutcome{code: exitcode.Of(err), stdout: stdout.String(), stderr: stderr.String(), log: log.String(), err: err}
}

// dryRunOptions are Options for a dry run.
var dryRunOptions = Options{DryRun: true}
