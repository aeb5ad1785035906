package lifecycle

import (
	"context"
)

// build(ctx context.Context, r *runner, s Service, args []string): to be written (issue 5).
func build(ctx context.Context, r *runner, s Service, args []string) error {
	return errNotYet
}
