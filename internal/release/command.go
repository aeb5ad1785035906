package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/entrypoint/entrypoint/internal/command"
	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// runner runs the commands of a release in the module root, printing each.
type runner struct {
	dir    string
	env    map[string]string
	stderr io.Writer
}

// run prints `+ ASSIGNMENTS ARGV` and runs argv with the assignments
// added to the environment. Its stdout goes to out (nil: stderr), its
// stderr to stderr; an error names the line and carries the tool's status.
func (r runner) run(ctx context.Context, assignments, argv []string, out io.Writer) error {
	line := strings.Join(slices.Concat(assignments, []string{tasks.Quote(argv...)}), " ")
	fmt.Fprintf(r.stderr, "+ %s\n", line)
	env := append(environ.List(r.env), assignments...)
	err := command.Run(ctx, command.Cmd{Argv: argv, Line: line, Dir: r.dir, Env: env, Stdout: out, Stderr: r.stderr})
	var failed *command.Error
	if !errors.As(err, &failed) {
		return err
	}
	code := exitcode.Failure
	if failed.Status > 0 {
		code = failed.Status
	}
	return exitcode.Wrap(code, fmt.Errorf("release: %w", err))
}

// query runs argv and returns its stdout, trimmed.
func (r runner) query(ctx context.Context, argv ...string) (string, error) {
	var out bytes.Buffer
	err := r.run(ctx, nil, argv, &out)
	return strings.TrimSpace(out.String()), err
}
