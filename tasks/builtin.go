package tasks

import (
	"context"
	"errors"
	"fmt"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// ErrNotImplemented is wrapped by the error of RunBuiltin for a lifecycle
// task whose Go code this version does not have yet.
var ErrNotImplemented = errors.New("not implemented yet in this version")

// RunBuiltin runs the built-in lifecycle task t (build, publish, deploy).
// None is implemented in this version: it returns an error wrapping
// ErrNotImplemented, with status 2 as for any standard task with nothing
// to run, that says how to declare a command of one's own instead.
func RunBuiltin(ctx context.Context, t Task) error {
	return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s is %w; declare `%s: COMMAND` in %s/Procfile to run your own", t.Name, ErrNotImplemented, t.Name, t.Dir))
}
