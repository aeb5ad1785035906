package lifecycle

import (
	"context"
)

// publish(ctx context.Context, r *runner, s Service, args []string): to be written (issue 5).
func publish(ctx context.Context, r *runner, s Service, args []string) error {
	return errNotYet
}
