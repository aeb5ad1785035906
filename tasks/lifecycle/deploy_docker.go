package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	cmdpkg "github.com/entrypoint/entrypoint/internal/command"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/retry"
	"github.com/entrypoint/entrypoint/tasks"
)

// serviceLabel marks the containers the docker target runs for a
// service: io.entrypoint.service=NAME.
const serviceLabel = "io.entrypoint.service"

// cleanupTimeout bounds the removal of a new container that failed, which
// runs even when the deploy was interrupted.
const cleanupTimeout = time.Minute

// deployDocker deploys to the one Docker host the CLI talks to: it starts
// the new container (NAME-<digest>) beside the old ones of NAME, waits for
// it to be healthy, then stops and removes the old ones. A new container
// that does not become healthy in time is stopped and removed, and the
// old ones keep serving.
func deployDocker(ctx context.Context, r *runner, d deployment) error {
	next := d.name + "-" + d.ref.hex12()
	existing, err := containersOf(ctx, r, d.name)
	if err != nil {
		return err
	}
	var old []container
	for _, c := range existing {
		switch {
		case c.Name == next && c.State.Running:
			r.log.Info("the image already serves; nothing to do", "container", next, "image", d.ref.pinned())
			return nil
		case c.Name == next: // left over, stopped
			if err := r.run(ctx, "docker", "rm", "--force", next); err != nil {
				return err
			}
		default:
			old = append(old, c)
		}
	}
	if err := d.runRelease(ctx, r, d.releaseArgv()); err != nil {
		return err
	}
	if err := r.run(ctx, d.runArgv(next)...); err != nil {
		return removeFailed(ctx, r, d.name, next, err)
	}
	if r.dryRun {
		showWait(r, next, d.cfg.Timeout)
	} else if err := waitHealthy(ctx, r, next, d.cfg.Timeout); err != nil {
		return abandon(ctx, r, next, old, err)
	}
	r.log.Info("healthy; stopping the old containers", "container", next, "old", len(old))
	for _, c := range old {
		if err := r.run(ctx, "docker", "stop", "--time", strconv.Itoa(c.stopTimeout()), c.Name); err != nil {
			return fmt.Errorf("%s serves; stopping the old %s: %w", next, c.Name, err)
		}
		if err := r.run(ctx, "docker", "rm", c.Name); err != nil {
			return fmt.Errorf("%s serves; removing the old %s: %w", next, c.Name, err)
		}
	}
	return nil
}

// runArgv starts the new container in the background.
func (d deployment) runArgv(name string) []string {
	argv := []string{"docker", "run", "--detach", "--name", name, "--label", serviceLabel + "=" + d.name, "--restart", "unless-stopped"}
	argv = append(argv, d.envOptions("-e")...)
	argv = append(argv, d.cfg.Args...)
	return append(argv, d.ref.pinned())
}

// stopTimeout is the grace docker stop gives c: its own stop timeout
// (docker run --stop-timeout), else docker's default of 10 seconds.
func (c container) stopTimeout() int {
	if c.Config.StopTimeout != nil {
		return *c.Config.StopTimeout
	}
	return 10
}

// containersOf lists the containers the docker target runs for name.
func containersOf(ctx context.Context, r *runner, name string) ([]container, error) {
	return labelled(ctx, r, "label="+serviceLabel+"="+name)
}

// probe is the command docker exec runs in c when it has no health check
// of its own: `entrypoint healthcheck`, the binary its ENTRYPOINT names
// if that is entrypoint.
func (c container) probe() []string {
	bin := "/usr/local/bin/entrypoint"
	if len(c.Config.Entrypoint) > 0 && path.Base(c.Config.Entrypoint[0]) == "entrypoint" {
		bin = c.Config.Entrypoint[0]
	}
	return []string{bin, "healthcheck"}
}

// errStarting is the state of a container whose health is not known yet.
var errStarting = errors.New("still starting")

// waitHealthy polls the container with backoff until it is healthy (its
// HEALTHCHECK, else its probe), fails fast when it exits, restarts or
// turns unhealthy, and gives up at the deadline.
func waitHealthy(ctx context.Context, r *runner, name string, timeout time.Duration) error {
	wait, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last container
	err := retry.Do(wait, func(ctx context.Context, _ int) error {
		list, err := inspectContainers(ctx, r, name)
		if err != nil || len(list) != 1 {
			return retry.Permanent(fmt.Errorf("%s is gone: %w", name, err))
		}
		last = list[0]
		st := last.State
		switch {
		case !st.Running || st.Restarting || last.RestartCount > 0:
			return retry.Permanent(fmt.Errorf("it exited with status %d", st.ExitCode))
		case st.Health == nil:
			return r.run(ctx, append([]string{"docker", "exec", name}, last.probe()...)...)
		case st.Health.Status == "healthy":
			return nil
		case st.Health.Status == "unhealthy":
			return retry.Permanent(fmt.Errorf("it turned unhealthy%s", lastCheck(last)))
		}
		return fmt.Errorf("%w%s", errStarting, lastCheck(last))
	}, retry.Policy{Initial: 250 * time.Millisecond, Max: 2 * time.Second})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return exitcode.Wrap(exitcode.Interrupted, fmt.Errorf("interrupted while %s started", name))
	case wait.Err() != nil:
		return fmt.Errorf("%s did not become healthy within %s: %v", name, timeout, err)
	}
	return fmt.Errorf("%s did not become healthy: %v", name, err)
}

// lastCheck is ": last check (exit N): OUTPUT" from the container's
// health log, "" when it has none.
func lastCheck(c container) string {
	if c.State.Health == nil || len(c.State.Health.Log) == 0 {
		return ""
	}
	l := c.State.Health.Log[len(c.State.Health.Log)-1]
	return fmt.Sprintf(": last check (exit %d): %s", l.ExitCode, cmdpkg.LastLine(l.Output))
}

// showWait prints, in a dry run, what a real run waits for and what it
// does when the wait fails.
func showWait(r *runner, name string, timeout time.Duration) {
	name = tasks.Quote(name)
	fmt.Fprintf(r.stdout, "# then: wait up to %s for %s to be healthy (docker container inspect %s, with backoff)\n", timeout, name, name)
	fmt.Fprintf(r.stdout, "# if it is not: docker logs --tail 20 %s; docker stop %s; docker rm --force %s; exit 69\n", name, name, name)
}

// abandon removes the new container that did not become healthy, after
// showing its last health checks and logs, and says the old ones still
// serve. It runs even when ctx has ended.
func abandon(ctx context.Context, r *runner, name string, old []container, cause error) error {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if list, err := inspectContainers(cleanup, r, name); err == nil && len(list) == 1 && list[0].State.Health != nil {
		for _, l := range list[0].State.Health.Log {
			fmt.Fprintf(r.stderr, "%s: health check (exit %d): %s\n", name, l.ExitCode, cmdpkg.LastLine(l.Output))
		}
	}
	_, _ = r.exec(cleanup, command{argv: []string{"docker", "logs", "--tail", "20", name}, readOnly: true}, nil)
	removed := "removed it"
	if err := r.run(cleanup, "docker", "stop", name); err != nil {
		removed = "stopping it failed"
	}
	if err := r.run(cleanup, "docker", "rm", "--force", name); err != nil {
		removed = "removing it failed: docker rm --force " + name
	}
	msg := fmt.Errorf("%w; %s; %s", cause, removed, stillServing(old))
	if exitcode.Of(cause) == exitcode.Interrupted {
		return exitcode.Wrap(exitcode.Interrupted, msg)
	}
	return exitcode.Wrap(exitcode.Unavailable, msg)
}

// removeFailed removes the container a failed docker run may have left.
func removeFailed(ctx context.Context, r *runner, service, name string, cause error) error {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if list, err := containersOf(cleanup, r, service); err == nil {
		for _, c := range list {
			if c.Name == name {
				_ = r.run(cleanup, "docker", "rm", "--force", name)
			}
		}
	}
	return cause
}

// stillServing says which old containers keep serving.
func stillServing(old []container) string {
	var names []string
	for _, c := range old {
		if c.State.Running {
			names = append(names, c.Name)
		}
	}
	switch len(names) {
	case 0:
		return "no old container was running"
	case 1:
		return names[0] + " still serves"
	}
	return strings.Join(names, ", ") + " still serve"
}
