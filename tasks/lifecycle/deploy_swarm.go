package lifecycle

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/retry"
)

// swarmMonitor is how long Swarm watches each updated task before it
// counts the update of that task as a success (--update-monitor). A task
// of an image with a HEALTHCHECK only counts as running once healthy, so
// this only has to catch a crash just after.
const swarmMonitor = 5 * time.Second

// swarmPolicy is the update policy every create and update sets: a new
// task starts, and must be healthy, before an old one stops; a failed
// update rolls back, old tasks started again before new ones stop.
var swarmPolicy = []string{
	"--update-order", "start-first", "--update-failure-action", "rollback",
	"--update-monitor", swarmMonitor.String(), "--rollback-order", "start-first",
}

// deploySwarm creates or updates the Swarm service NAME with a rolling,
// start-first, health-gated update that rolls back on failure, and
// reports whether it converged (nil) or rolled back (69).
func deploySwarm(ctx context.Context, r *runner, d deployment) error {
	svc, exists, err := inspectService(ctx, r, d.name)
	if err != nil {
		return err
	}
	if exists && svc.runs(d.ref) {
		r.log.Info("the image already serves; nothing to do", "service", d.name, "image", d.ref.pinned())
		return nil
	}
	if err := d.runRelease(ctx, r, d.releaseArgv()); err != nil {
		return err
	}
	argv := d.serviceCreate()
	if exists {
		argv = d.serviceUpdate()
	}
	wait, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	err = r.run(wait, argv...)
	if r.dryRun {
		fmt.Fprintf(r.stdout, "# then: wait up to %s for %s to converge (docker service inspect %s, with backoff); rolled back: exit 69\n", d.cfg.Timeout, d.name, d.name)
		return nil
	}
	if err == nil {
		svc, err = settle(wait, r, d.name)
	}
	switch {
	case wait.Err() != nil:
		return undo(ctx, r, d, exists, fmt.Errorf("%s did not converge within %s", d.name, d.cfg.Timeout))
	case err != nil:
		return err
	case svc.rolledBack():
		showTasks(ctx, r, d.name)
		return exitcode.Wrap(exitcode.Unavailable, fmt.Errorf("%s: the update to %s failed and was rolled back (%s); the previous version serves", d.name, d.ref.pinned(), svc.reason(ctx, r, d)))
	case svc.UpdateStatus != nil && svc.UpdateStatus.State != "completed":
		showTasks(ctx, r, d.name)
		return exitcode.Wrap(exitcode.Unavailable, fmt.Errorf("%s: the update to %s stopped: %s: %s", d.name, d.ref.pinned(), svc.UpdateStatus.State, svc.UpdateStatus.Message))
	}
	r.log.Info("converged", "service", d.name, "image", d.ref.pinned())
	return nil
}

// serviceCreate creates the service with the deploy's options.
func (d deployment) serviceCreate() []string {
	argv := []string{"docker", "service", "create", "--detach=false", "--name", d.name, "--with-registry-auth"}
	argv = append(argv, swarmPolicy...)
	if !hasOption(d.cfg.Args, "--mode") {
		argv = append(argv, "--replicas", strconv.Itoa(d.cfg.Replicas))
	}
	argv = append(argv, d.envOptions("--env")...)
	argv = append(argv, d.cfg.Args...)
	return append(argv, d.ref.pinned())
}

// serviceUpdate moves the service to the new image. Of the settings only
// the environment (and the replicas, when set) are applied again: the
// extra options are docker service create's, given once.
func (d deployment) serviceUpdate() []string {
	argv := []string{"docker", "service", "update", "--detach=false", "--with-registry-auth"}
	argv = append(argv, swarmPolicy...)
	if d.cfg.replicasSet {
		argv = append(argv, "--replicas", strconv.Itoa(d.cfg.Replicas))
	}
	argv = append(argv, d.envOptions("--env-add")...)
	return append(argv, "--image", d.ref.pinned(), d.name)
}

// hasOption reports whether args hold the option name (--name v or --name=v).
func hasOption(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// service is what deploy reads of a Swarm service (docker service inspect).
type service struct {
	Spec struct {
		TaskTemplate struct {
			ContainerSpec struct{ Image string }
		}
	}
	UpdateStatus *struct {
		State   string
		Message string
	}
	why string // the first message of a rollback seen while waiting
}

// runs reports whether the service's image is ref.
func (s service) runs(ref reference) bool {
	img, err := parseReference(s.Spec.TaskTemplate.ContainerSpec.Image)
	return err == nil && img.Repo == ref.Repo && img.Digest == ref.Digest
}

func (s service) rolledBack() bool {
	return s.UpdateStatus != nil && strings.HasPrefix(s.UpdateStatus.State, "rollback_")
}

// reason says why an update failed: Swarm's message, and how the new
// image's last task that ran ended, with its last health check when its
// container is on this host.
func (s service) reason(ctx context.Context, r *runner, d deployment) string {
	var why []string
	if s.why != "" && s.why != "rollback completed" {
		why = append(why, s.why)
	}
	out, err := r.query(ctx, "docker", "service", "ps", "--no-trunc", "--filter", "desired-state=shutdown",
		"--format", "{{.Name}}.{{.ID}}\t{{.Image}}\t{{.CurrentState}}\t{{.Error}}", d.name)
	for _, line := range strings.Split(out, "\n") {
		task := strings.Split(line, "\t")
		ran := len(task) == 4 && endedState().MatchString(task[2])
		if err != nil || !ran || task[1] != d.ref.pinned() {
			continue
		}
		ended := "its task: " + strings.TrimSpace(task[2]+" "+task[3])
		if list, err := inspectContainers(ctx, r, task[0]); err == nil && len(list) == 1 && list[0].State.Health != nil {
			ended += ", health " + list[0].State.Health.Status + lastCheck(list[0])
		}
		why = append(why, ended)
		break
	}
	return cmp.Or(strings.Join(why, "; "), "docker service ps "+d.name+" shows why")
}

// endedState is the CurrentState of a task that ran and ended.
var endedState = pattern(`^(Complete|Failed|Rejected) `)

// inspectService reads the service name; exists is false when there is
// none. Any other failure (no Swarm here, no manager) is an error.
func inspectService(ctx context.Context, r *runner, name string) (s service, exists bool, err error) {
	out, err := r.query(ctx, "docker", "service", "inspect", name)
	var ce *CommandError
	if errors.As(err, &ce) && strings.Contains(strings.ToLower(ce.Stderr), "no such service") {
		return s, false, nil
	}
	if err != nil {
		if errors.As(err, &ce) && strings.Contains(ce.Stderr, "swarm") {
			return s, false, exitcode.Wrap(exitcode.Config, fmt.Errorf("%w (ENTRYPOINT_DEPLOY_TARGET=swarm needs a Swarm manager: docker swarm init, or DOCKER_HOST set to a manager)", err))
		}
		return s, false, err
	}
	var list []service
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 1 {
		return s, false, fmt.Errorf("docker service inspect %s: unexpected answer: %v", name, err)
	}
	return list[0], true, nil
}

// settle waits, with backoff, until the service's update (if any) has
// ended: completed, rolled back or paused. The CLI may return while a
// rollback is still running.
func settle(ctx context.Context, r *runner, name string) (service, error) {
	var last service
	why := ""
	err := retry.Do(ctx, func(ctx context.Context, _ int) error {
		s, exists, err := inspectService(ctx, r, name)
		switch {
		case err != nil:
			return retry.Permanent(err)
		case !exists:
			return retry.Permanent(fmt.Errorf("service %s is gone", name))
		}
		last = s
		if s.rolledBack() && why == "" {
			why = s.UpdateStatus.Message
		}
		if s.UpdateStatus != nil && (s.UpdateStatus.State == "updating" || s.UpdateStatus.State == "rollback_started") {
			return fmt.Errorf("update %s: %s", s.UpdateStatus.State, s.UpdateStatus.Message)
		}
		return nil
	}, retry.Policy{Initial: 250 * time.Millisecond, Max: 2 * time.Second})
	last.why = why
	return last, err
}

// undo ends a deploy that ran out of time or was interrupted: it rolls an
// update back, or removes a service it created.
func undo(ctx context.Context, r *runner, d deployment, updated bool, cause error) error {
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout+d.cfg.Timeout)
	defer cancel()
	code := exitcode.Unavailable
	if ctx.Err() != nil {
		code, cause = exitcode.Interrupted, fmt.Errorf("interrupted while %s updated", d.name)
	}
	showTasks(cleanup, r, d.name)
	if updated {
		if err := r.run(cleanup, "docker", "service", "rollback", "--detach=false", d.name); err != nil {
			return exitcode.Wrap(code, fmt.Errorf("%w; rolling back failed: %v", cause, err))
		}
		return exitcode.Wrap(code, fmt.Errorf("%w; rolled back, the previous version serves", cause))
	}
	if err := r.run(cleanup, "docker", "service", "rm", d.name); err != nil {
		return exitcode.Wrap(code, fmt.Errorf("%w; removing it failed: %v", cause, err))
	}
	return exitcode.Wrap(code, fmt.Errorf("%w; removed it", cause))
}

// showTasks prints the service's tasks, their states and errors.
func showTasks(ctx context.Context, r *runner, name string) {
	_, _ = r.exec(ctx, command{argv: []string{"docker", "service", "ps", "--no-trunc", name}, readOnly: true}, nil)
}
