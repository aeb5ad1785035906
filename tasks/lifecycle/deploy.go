package lifecycle

import (
	"context"
)

// deploy(ctx context.Context, r *runner, s Service, args []string): to be written (issue 5).
func deploy(ctx context.Context, r *runner, s Service, args []string) error {
	return errNotYet
}
