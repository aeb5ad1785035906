package lifecycle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/health"
	"github.com/entrypoint/entrypoint/internal/retry"
	"github.com/entrypoint/entrypoint/tasks"
)

// sanityProbeTimeout bounds one health check of test_sanity.
const sanityProbeTimeout = 5 * time.Second

// testSanity polls the health endpoint of the deployed service at
// ENTRYPOINT_SANITY_URL with backoff until it answers or
// ENTRYPOINT_SANITY_TIMEOUT passes (69), then runs the service's declared
// sanity tests with the URL in their environment.
func testSanity(ctx context.Context, r *runner, s Service, t tasks.Task) error {
	url := s.Env["ENTRYPOINT_SANITY_URL"]
	timeout, err := deadline(s.Env, "ENTRYPOINT_SANITY_TIMEOUT", time.Minute)
	if err != nil {
		return err
	}
	target, err := health.Parse(healthURL(url, s.Env["ENTRYPOINT_SANITY_HEALTH"]))
	if err != nil {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("ENTRYPOINT_SANITY_URL, ENTRYPOINT_SANITY_HEALTH: %w", err))
	}
	if r.dryRun {
		fmt.Fprintf(r.stdout, "# poll %s until it answers (deadline %v)\n", target, timeout)
	} else if err := poll(ctx, r, target, timeout); err != nil {
		return err
	}
	return runDeclared(ctx, r, t, map[string]string{"ENTRYPOINT_SANITY_URL": url, "SANITY_URL": url})
}

// healthURL is the health target of the service at base: path appended
// to base (default /health), or path itself when it is an absolute URL
// (http://host:port/ready, tcp://host:443).
func healthURL(base, path string) string {
	switch {
	case path == "":
		path = "/health"
	case strings.Contains(path, "://"):
		return path
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}

// poll checks target with backoff until it answers, ctx ends (130) or
// timeout passes (69, with the attempts and the last error).
func poll(ctx context.Context, r *runner, target health.Target, timeout time.Duration) error {
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.log.Info("waiting for the deployed service", "target", target.String(), "deadline", timeout.String())
	attempts := 0
	err := r.retry(wait, "sanity health check", retry.Policy{Initial: 250 * time.Millisecond, Max: 5 * time.Second}, nil, func(ctx context.Context) error {
		attempts++
		if err := target.Check(ctx, sanityProbeTimeout); err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		return nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return interruption(ctx, "")
	}
	return exitcode.Wrap(exitcode.Unavailable, fmt.Errorf("the deployed service is not healthy within %v (%d attempts): %w: check the deployment, or raise ENTRYPOINT_SANITY_TIMEOUT", timeout, attempts, err))
}
