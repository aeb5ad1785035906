package lifecycle

import (
	"context"
	"github.com/entrypoint/entrypoint/tasks"
)

// testIntegration(ctx context.Context, r *runner, s Service, t tasks.Task): to be written (issue 5).
func testIntegration(ctx context.Context, r *runner, s Service, t tasks.Task) error {
	return errNotYet
}
