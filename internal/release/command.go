package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"

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
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = r.dir
	cmd.Env = append(environ.List(r.env), assignments...)
	cmd.Stdout = out
	if out == nil {
		cmd.Stdout = r.stderr
	}
	var errs bytes.Buffer
	cmd.Stderr = io.MultiWriter(r.stderr, &errs)
	if err := cmd.Run(); err != nil {
		return failed(line, err, errs.String())
	}
	return nil
}

// query runs argv and returns its stdout, trimmed.
func (r runner) query(ctx context.Context, argv ...string) (string, error) {
	var out bytes.Buffer
	err := r.run(ctx, nil, argv, &out)
	return strings.TrimSpace(out.String()), err
}

// failed is the error of a command line that failed: the line, the
// error, the last line of its stderr, and its exit status to end with.
func failed(line string, err error, stderr string) error {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last != "" {
		last = ": " + last
	}
	code := exitcode.Failure
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() > 0 {
		code = exit.ExitCode()
	}
	return exitcode.Wrap(code, fmt.Errorf("release: %s: %w%s", line, err, last))
}
