// Package retry runs an operation again, with exponential backoff, until it
// succeeds, fails permanently, exhausts its attempts or its context ends.
//
// It is the one place entrypoint uses github.com/cenkalti/backoff/v4; waits
// for dependencies, image pushes and health polls all go through Do.
//
// Guarantees:
//   - Do calls op synchronously, one attempt at a time, on the caller's
//     goroutine; it starts no goroutine and returns as soon as ctx ends
//     (an attempt in flight sees the same ctx).
//   - The error Do returns is the last error op returned, unwrapped from
//     Permanent. An error op returned only because ctx had ended does not
//     replace an earlier, more telling one. When ctx ended before the first
//     attempt, Do returns ctx.Err().
//   - Pauses grow from Policy.Initial by Policy.Multiplier up to Policy.Max,
//     each randomized by ±20% so that many waiters do not retry in step.
package retry

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Policy says how long to pause between attempts and when to stop.
// The zero Policy retries until ctx ends, pausing 100ms, 200ms, ... up to 5s.
type Policy struct {
	Initial    time.Duration // first pause; 0 means 100ms
	Max        time.Duration // longest pause; 0 means 5s
	Multiplier float64       // growth of the pause per attempt; 0 means 2
	Attempts   int           // stop after this many attempts; 0 means no limit
}

// Permanent marks err as not worth retrying: Do returns it at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return backoff.Permanent(err)
}

// Do calls op, passing the attempt number (1, 2, ...), until it returns nil
// or Do gives up as the package comment describes.
func Do(ctx context.Context, op func(ctx context.Context, attempt int) error, p Policy) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var last error
	attempt := 0
	err := backoff.Retry(func() error {
		attempt++
		err := op(ctx, attempt)
		if err != nil && (last == nil || !ended(ctx)) {
			last = err
		}
		return err
	}, p.backoff(ctx))
	if err == nil {
		return nil
	}
	var permanent *backoff.PermanentError
	if errors.As(last, &permanent) {
		return permanent.Err
	}
	return last
}

// ended reports whether ctx is done or past its deadline: an operation
// bounded by the deadline may fail a moment before ctx reports it.
func ended(ctx context.Context) bool {
	deadline, ok := ctx.Deadline()
	return ctx.Err() != nil || (ok && !time.Now().Before(deadline))
}

func (p Policy) backoff(ctx context.Context) backoff.BackOff {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(or(p.Initial, 100*time.Millisecond)),
		backoff.WithMaxInterval(or(p.Max, 5*time.Second)),
		backoff.WithMultiplier(or(p.Multiplier, 2)),
		backoff.WithRandomizationFactor(0.2),
		backoff.WithMaxElapsedTime(0),
	)
	var bo backoff.BackOff = b
	if p.Attempts > 0 {
		bo = backoff.WithMaxRetries(bo, uint64(p.Attempts-1))
	}
	return backoff.WithContext(bo, ctx)
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
