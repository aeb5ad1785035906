package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/retry"
	"github.com/entrypoint/entrypoint/tasks"
)

// teardownTimeout bounds the logs and the teardown that follow every run,
// which an interrupt does not cut short.
const teardownTimeout = 2 * time.Minute

// testIntegration brings up the service image and its dependencies from
// the service's compose file under a project of its own, waits until they
// are ready, runs the service's declared tests against them, and always
// tears the project down (down -v), whatever happened before.
func testIntegration(ctx context.Context, r *runner, s Service, t tasks.Task) error {
	timeout, err := deadline(s.Env, "ENTRYPOINT_INTEGRATION_TIMEOUT", 2*time.Minute)
	if err != nil {
		return err
	}
	c, err := newCompose(ctx, r, s)
	if err != nil {
		return err
	}
	return c.finish(ctx, c.test(ctx, t, timeout))
}

// newCompose finds the compose file and CLI, names the project and the
// service image, and returns the compose that runs them, its commands'
// environment holding ENTRYPOINT_IMAGE_REF.
func newCompose(ctx context.Context, r *runner, s Service) (compose, error) {
	file := composeFile(s.Dir, s.Env)
	if _, err := os.Stat(file); err != nil {
		return compose{}, exitcode.Wrap(exitcode.Config, fmt.Errorf("compose file: %w: set ENTRYPOINT_COMPOSE_FILE to the service's compose file", err))
	}
	cli, err := findCompose(ctx, r)
	if err != nil {
		return compose{}, err
	}
	project, err := projectName(s)
	if err != nil {
		return compose{}, err
	}
	ref, err := imageRef(ctx, r, s)
	if err != nil {
		return compose{}, err
	}
	cr := *r
	cr.env = append(slices.Clip(r.env), "ENTRYPOINT_IMAGE_REF="+ref)
	return compose{r: &cr, cli: cli, project: project, file: file, image: ref}, nil
}

// imageRef is the service image the compose file names as
// ${ENTRYPOINT_IMAGE_REF}: that variable when it is set, else REPO:SHORT,
// the tag build gives the current revision. test_integration never
// builds it.
func imageRef(ctx context.Context, r *runner, s Service) (string, error) {
	if ref := s.Env["ENTRYPOINT_IMAGE_REF"]; ref != "" {
		return ref, nil
	}
	img, err := identify(ctx, r, s)
	if err != nil {
		return "", exitcode.Wrap(exitcode.Config, fmt.Errorf("the service image: %w (or set ENTRYPOINT_IMAGE_REF)", err))
	}
	return img.Ref(img.Short), nil
}

// test brings the project up, waits until it is ready, and runs the
// tests. The deadline covers up and the wait: an up that waits for a
// dependency's health (depends_on: condition) is bounded too.
func (c compose) test(ctx context.Context, t tasks.Task, timeout time.Duration) error {
	c.r.show(command{argv: exports(map[string]string{"ENTRYPOINT_IMAGE_REF": c.image})})
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.up(wait); err != nil {
		return c.upFailed(ctx, wait, timeout, err)
	}
	all, err := c.ready(ctx, wait, timeout)
	if err != nil {
		return err
	}
	env := addresses(all)
	env["COMPOSE_PROJECT_NAME"], env["COMPOSE_FILE"], env["ENTRYPOINT_IMAGE_REF"] = c.project, c.file, c.image
	return runDeclared(ctx, c.r, t, env)
}

// upFailed is the error of an up that failed: 69 when the deadline cut it
// short; else its own, with a hint when the service image is not on the
// engine (test_integration does not build it).
func (c compose) upFailed(ctx, wait context.Context, timeout time.Duration, err error) error {
	switch {
	case ctx.Err() != nil:
		return err
	case wait.Err() != nil:
		return exitcode.Wrap(exitcode.Unavailable, fmt.Errorf("%s up did not finish within %v: raise ENTRYPOINT_INTEGRATION_TIMEOUT, or see the logs above", strings.Join(c.cli, " "), timeout))
	}
	if _, missing := c.r.query(ctx, "docker", "image", "inspect", "--format", "{{.Id}}", c.image); missing != nil {
		return fmt.Errorf("%w; the service image %s is not on this engine: run `entrypoint build` first, or set ENTRYPOINT_IMAGE_REF", err, c.image)
	}
	return err
}

// ready polls the project's containers, with backoff until wait ends,
// until each is ready (see container.readiness), and returns them. A
// container that will never be ready ends the wait at once. Both are 69,
// naming the containers and what their healthchecks said last. Only the
// first poll's commands are printed.
func (c compose) ready(ctx, wait context.Context, timeout time.Duration) ([]container, error) {
	if c.r.dryRun {
		fmt.Fprintf(c.r.stdout, "# wait until every container of %s is healthy, or running when it has no healthcheck (deadline %v); the tests also get SERVICE_ADDR and SERVICE_URL for each service that publishes a TCP port\n", c.project, timeout)
		return nil, nil
	}
	var (
		all     []container
		polls   int
		q       = c.r
		waiting string
	)
	err := retry.Do(wait, func(ctx context.Context, attempt int) error {
		polls = attempt
		var err error
		all, err = c.containers(ctx, q)
		q = quiet(c.r)
		if err != nil {
			return err
		}
		var why []string
		for _, ct := range all {
			ok, failed, reason := ct.readiness()
			if failed {
				return retry.Permanent(exitcode.Wrap(exitcode.Unavailable, fmt.Errorf("project %s will not be ready: %s", c.project, reason)))
			}
			if !ok {
				why = append(why, reason)
			}
		}
		if now := strings.Join(why, "; "); now != waiting && now != "" {
			waiting = now
			c.r.log.Info("waiting for containers", "project", c.project, "waiting", now)
		}
		return joined(why)
	}, retry.Policy{Initial: 200 * time.Millisecond, Max: 2 * time.Second})
	switch {
	case err == nil, ctx.Err() != nil:
		return all, ctx.Err()
	case exitcode.Of(err) == exitcode.Unavailable:
		return nil, err
	}
	return nil, exitcode.Wrap(exitcode.Unavailable, fmt.Errorf("project %s not ready within %v (polls: %d): %w: raise ENTRYPOINT_INTEGRATION_TIMEOUT, or see the logs above", c.project, timeout, polls, err))
}

// joined is reasons as one error, nil when there are none.
func joined(reasons []string) error {
	if len(reasons) == 0 {
		return nil
	}
	return errors.New(strings.Join(reasons, "; "))
}

// quiet is r printing nothing of the commands it runs: for the second
// and later polls of the same commands.
func quiet(r *runner) *runner {
	q := *r
	q.stderr = io.Discard
	return &q
}

// finish follows every run, whatever err it ended with: it prints the
// logs of a failed run, tears the project down under a deadline of its
// own, and returns err, the teardown's failure after a success, or 130
// when ctx was interrupted.
func (c compose) finish(ctx context.Context, err error) error {
	if c.r.dryRun {
		return errors.Join(err, c.down(ctx))
	}
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), teardownTimeout)
	defer cancel()
	if err != nil && ctx.Err() == nil {
		_ = c.logs(cleanup) // what helps to debug; its own failure does not matter
	}
	down := c.down(cleanup)
	switch {
	case ctx.Err() != nil && down != nil:
		return interruption(ctx, fmt.Sprintf("; tearing down project %s failed: %v", c.project, down))
	case ctx.Err() != nil:
		return interruption(ctx, fmt.Sprintf("; project %s torn down", c.project))
	case err != nil && down != nil:
		c.r.log.Error("teardown failed", "project", c.project, "err", down)
	case err == nil:
		return down
	}
	return err
}
