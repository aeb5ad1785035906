package lifecycle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// Service is the service a lifecycle task works on.
type Service struct {
	Dir   string            // the service directory
	Env   map[string]string // the environment: settings, and what the tools inherit
	Tasks *tasks.Registry   // the service's tasks (release, declared tests); may be nil
}

// Options say where a lifecycle task writes and how it runs commands.
type Options struct {
	Stdout, Stderr io.Writer    // nil is io.Discard
	Logger         *slog.Logger // nil discards
	DryRun         bool         // print the commands; change nothing
	// RunTask runs a task the service declares (a Procfile entry or a
	// preset's command) as the front end runs any task, and returns its
	// exit status. nil runs the command directly.
	RunTask func(ctx context.Context, t tasks.Task) int
}

// Handles reports whether t is run by this package rather than as a plain
// command: build, publish and deploy when no Procfile entry overrides
// them (t.Builtin); test_integration when the service has a compose file;
// test_sanity when ENTRYPOINT_SANITY_URL is set.
func Handles(t tasks.Task, env map[string]string) bool {
	switch t.Name {
	case "test_integration":
		return composeFile(t.Dir, env) != ""
	case "test_sanity":
		return env["ENTRYPOINT_SANITY_URL"] != ""
	}
	return t.Builtin
}

// Run runs the lifecycle task t of the service s. It returns nil when the
// task succeeded, and otherwise an error that says why and carries the
// exit status (see the package doc).
func Run(ctx context.Context, t tasks.Task, s Service, o Options) error {
	if s.Dir == "" {
		s.Dir = t.Dir
	}
	dir, err := filepath.Abs(s.Dir)
	if err != nil {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("service directory: %w", err))
	}
	s.Dir = dir
	r := newRunner(s, o)
	switch t.Name {
	case "build":
		return build(ctx, r, s, t.Args)
	case "publish":
		return publish(ctx, r, s, t.Args)
	case "deploy":
		return deploy(ctx, r, s, t.Args)
	case "test_integration":
		return testIntegration(ctx, r, s, t)
	case "test_sanity":
		return testSanity(ctx, r, s, t)
	}
	return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s is no lifecycle task", t.Name))
}

// composeFile returns the compose file of the service in dir:
// ENTRYPOINT_COMPOSE_FILE (relative to dir), else the first of the names
// docker compose looks for that exists; "" when there is none.
func composeFile(dir string, env map[string]string) string {
	if f := env["ENTRYPOINT_COMPOSE_FILE"]; f != "" {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		return f
	}
	for _, name := range []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	return ""
}
