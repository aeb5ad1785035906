// Package wait waits for a service's dependencies to come up before it
// starts: wait.For(ctx, targets, opts).
//
// The integrator reads the targets from ENTRYPOINT_WAIT, a comma-separated
// list of the URLs health.Parse accepts, for example
//
//	ENTRYPOINT_WAIT=tcp://db:5432,http://api:8080/health,unix:///run/app.sock,file:///shared/ready
//
// and the Options from ENTRYPOINT_WAIT_TIMEOUT (Timeout) and
// ENTRYPOINT_WAIT_PROGRESS (Progress), both Go durations.
//
// Guarantees:
//   - All targets are waited for in parallel, one goroutine each, each
//     checked again with exponential backoff (internal/retry) until it is
//     ready or the overall deadline (Options.Timeout, default 60s) passes.
//     A target is ready as health.Target.Check says: a 2xx/3xx HTTP answer
//     (redirects not followed), an open TCP or unix connection, an existing
//     file.
//   - Every failed attempt is logged at debug level, each ready target and a
//     progress line naming what is still pending (every Options.Progress,
//     default 5s) at info level, on Options.Logger. Nothing is printed.
//   - Every goroutine For starts has ended when it returns.
//   - When a target is not ready in time, or ctx ends first, the error
//     carries exit code 69 (exitcode.Unavailable) and lists, one line each,
//     every target that never came up with its attempts and last error.
//     For a cancelled ctx, errors.Is(err, context.Canceled) holds.
//   - Parse reports every bad target at once, with exit code 78.
package wait

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/health"
	"github.com/entrypoint/entrypoint/internal/retry"
)

// Options tune For; the zero Options are the documented defaults.
type Options struct {
	Timeout  time.Duration // overall deadline; 0 means 60s
	Progress time.Duration // how often to log what is still pending; 0 means 5s
	Attempt  time.Duration // bound on one attempt; 0 means 5s
	Retry    retry.Policy  // pauses between attempts; the zero Policy pauses 100ms doubling up to 2s
	Logger   *slog.Logger  // nil discards the log
}

func (o Options) withDefaults() Options {
	o.Timeout = or(o.Timeout, 60*time.Second)
	o.Progress = or(o.Progress, 5*time.Second)
	o.Attempt = or(o.Attempt, 5*time.Second)
	o.Retry.Max = or(o.Retry.Max, 2*time.Second)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Parse reads a comma-separated list of targets; spaces around items and
// empty items are ignored.
func Parse(spec string) ([]health.Target, error) {
	var targets []health.Target
	var errs []error
	for _, item := range strings.Split(spec, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		t, err := health.Parse(item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		targets = append(targets, t)
	}
	return targets, exitcode.Wrap(exitcode.Config, errors.Join(errs...))
}

// outcome is how waiting for one target ended.
type outcome struct {
	i        int // index in targets
	attempts int
	err      error // nil: ready
}

// For waits until every target is ready, as the package comment describes.
func For(ctx context.Context, targets []health.Target, opts Options) error {
	if len(targets) == 0 {
		return nil
	}
	o := opts.withDefaults()
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	o.Logger.InfoContext(ctx, "waiting for dependencies", "targets", names(targets, nil), "timeout", o.Timeout)
	outcomes := make(chan outcome, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { outcomes <- waitOne(ctx, i, t, o) })
	}
	failed := collect(ctx, outcomes, targets, o)
	wg.Wait()
	if len(failed) == 0 {
		return nil
	}
	return notReady(parent, targets, failed, o.Timeout)
}

// waitOne checks t until it is ready or ctx ends.
func waitOne(ctx context.Context, i int, t health.Target, o Options) outcome {
	attempts := 0
	err := retry.Do(ctx, func(ctx context.Context, n int) error {
		attempts = n
		err := t.Check(ctx, o.Attempt)
		if err != nil {
			o.Logger.DebugContext(ctx, "dependency not ready", "target", t.String(), "attempt", n, "err", err)
		}
		return err
	}, o.Retry)
	return outcome{i: i, attempts: attempts, err: err}
}

// collect receives every outcome, logging progress while some are pending,
// and returns the failed ones in target order.
func collect(ctx context.Context, outcomes <-chan outcome, targets []health.Target, o Options) []outcome {
	start := time.Now()
	tick := time.NewTicker(o.Progress)
	defer tick.Stop()
	pending := make(map[int]bool, len(targets))
	for i := range targets {
		pending[i] = true
	}
	failed := make([]outcome, len(targets))
	for len(pending) > 0 {
		select {
		case r := <-outcomes:
			delete(pending, r.i)
			failed[r.i] = r
			if r.err == nil {
				o.Logger.InfoContext(ctx, "dependency ready", "target", targets[r.i].String(),
					"attempts", r.attempts, "elapsed", since(start))
			}
		case <-tick.C:
			o.Logger.InfoContext(ctx, "still waiting for dependencies", "pending", names(targets, pending),
				"elapsed", since(start))
		}
	}
	return onlyFailed(failed)
}

func onlyFailed(all []outcome) []outcome {
	var failed []outcome
	for _, r := range all {
		if r.err != nil {
			failed = append(failed, r)
		}
	}
	return failed
}

// notReady is the error listing every target that did not come up.
func notReady(parent context.Context, targets []health.Target, failed []outcome, timeout time.Duration) error {
	head := fmt.Errorf("%d of %d dependencies not ready within %v:", len(failed), len(targets), timeout)
	if err := parent.Err(); err != nil {
		head = fmt.Errorf("waiting for %d of %d dependencies stopped: %w:", len(failed), len(targets), context.Cause(parent))
	}
	errs := []error{head}
	for _, r := range failed {
		errs = append(errs, fmt.Errorf("%s: %s, last error: %w", targets[r.i], attempts(r.attempts), r.err))
	}
	return exitcode.Wrap(exitcode.Unavailable, errors.Join(errs...))
}

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// names lists the targets, only those in only when it is not nil.
func names(targets []health.Target, only map[int]bool) string {
	var s []string
	for i, t := range targets {
		if only == nil || only[i] {
			s = append(s, t.String())
		}
	}
	return strings.Join(s, ", ")
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }
