//go:build !linux

package initproc

import (
	"context"
	"errors"
)

// Run needs Linux: PID namespaces, subreapers and /proc.
func Run(ctx context.Context, argv []string, opts Options) (int, error) {
	return 1, errors.ErrUnsupported
}
