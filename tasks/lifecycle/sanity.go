package lifecycle

import (
	"context"
	"github.com/entrypoint/entrypoint/tasks"
)

// testSanity(ctx context.Context, r *runner, s Service, t tasks.Task): to be written (issue 5).
func testSanity(ctx context.Context, r *runner, s Service, t tasks.Task) error {
	return errNotYet
}
