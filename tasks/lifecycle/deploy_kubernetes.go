package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// deployKubernetes applies the service's Secret (its ENTRYPOINT_DEPLOY_ENV
// values), runs the release entry in a pod of the new image, applies the
// Deployment and Service, and waits for the rollout; a rollout that does
// not complete in time is undone (69).
func deployKubernetes(ctx context.Context, r *runner, d deployment) error {
	m := d.manifests()
	if m.secret != nil {
		if err := apply(ctx, r, d, m.secret); err != nil {
			return err
		}
	}
	if err := d.runRelease(ctx, r, d.kubeRelease(m)); err != nil {
		return err
	}
	if err := apply(ctx, r, d, &m.deployment, &m.service); err != nil {
		return err
	}
	target := "deployment/" + d.name
	err := r.run(ctx, d.kubectl("rollout", "status", target, "--timeout="+d.cfg.Timeout.String())...)
	undo := d.kubectl("rollout", "undo", target)
	if r.dryRun {
		fmt.Fprintf(r.stdout, "# if the rollout fails: %s\n", tasks.Quote(undo...))
		return nil
	}
	if err == nil {
		r.log.Info("rolled out", "deployment", d.name, "image", d.ref.pinned())
		return nil
	}
	code, cause := exitcode.Unavailable, fmt.Errorf("%s did not roll out %s within %s: %w", target, d.ref.pinned(), d.cfg.Timeout, err)
	if ctx.Err() != nil {
		code, cause = exitcode.Interrupted, fmt.Errorf("interrupted while %s rolled out", target)
	}
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := r.run(cleanup, undo...); err != nil {
		return exitcode.Wrap(code, fmt.Errorf("%w; undoing it failed: %v", cause, err))
	}
	return exitcode.Wrap(code, fmt.Errorf("%w; undone, the previous version serves", cause))
}

// kubectl is a kubectl command line with the deploy's context and
// namespace.
func (d deployment) kubectl(args ...string) []string {
	argv := []string{"kubectl"}
	if d.cfg.Context != "" {
		argv = append(argv, "--context", d.cfg.Context)
	}
	if d.cfg.Namespace != "" {
		argv = append(argv, "--namespace", d.cfg.Namespace)
	}
	return append(argv, args...)
}

// apply runs kubectl apply with the objects on its standard input. A dry
// run prints the command with the objects as a here-document, a Secret's
// values as placeholders.
func apply(ctx context.Context, r *runner, d deployment, objects ...any) error {
	argv := d.kubectl("apply", "-f", "-")
	if r.dryRun {
		fmt.Fprintf(r.stdout, "%s <<'EOF'\n%sEOF\n", tasks.Quote(argv...), documents(true, objects...))
		return nil
	}
	_, err := r.exec(ctx, command{argv: argv, stdin: documents(false, objects...)}, nil)
	return err
}

// kubeRelease runs the release entry in a pod of the new image, attached,
// removed once it ends, with the environment the Deployment's pods get;
// it never carries the service's labels, so no Service sends it traffic.
func (d deployment) kubeRelease(m kubeManifests) []string {
	pod := releasePodName(d.name, d.ref.hex12())
	var override struct {
		Spec struct {
			SecurityContext struct {
				RunAsNonRoot bool `json:"runAsNonRoot"`
			} `json:"securityContext"`
			Containers []releaseContainer `json:"containers"`
		} `json:"spec"`
	}
	override.Spec.SecurityContext.RunAsNonRoot = true
	override.Spec.Containers = []releaseContainer{{Name: pod, EnvFrom: m.deployment.Spec.Template.Spec.Containers[0].EnvFrom}}
	overrides, _ := json.Marshal(override) // plain structs: cannot fail
	argv := d.kubectl("run", pod, "--image="+d.ref.pinned(), "--restart=Never", "--rm", "--attach", "--quiet",
		"--pod-running-timeout="+d.cfg.Timeout.String(),
		"--labels=app.kubernetes.io/part-of="+d.name+",app.kubernetes.io/component=release")
	for _, e := range m.deployment.Spec.Template.Spec.Containers[0].Env {
		argv = append(argv, "--env="+e.Name+"="+e.Value)
	}
	return append(argv, "--override-type=strategic", "--overrides="+string(overrides), "--", "release")
}

// releaseContainer is what the release pod's container adds to kubectl
// run's: the Secret's variables.
type releaseContainer struct {
	Name    string    `json:"name"`
	EnvFrom []envFrom `json:"envFrom,omitempty"`
}

// releasePodName is NAME-release-<8 hex>, NAME cut so that it stays a
// DNS label (the container takes the pod's name).
func releasePodName(name, hex string) string {
	suffix := "-release-" + hex[:min(8, len(hex))]
	return strings.TrimRight(name[:min(len(name), 63-len(suffix))], "-") + suffix
}
