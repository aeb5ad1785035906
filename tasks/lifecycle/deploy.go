package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"path"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// deploy deploys the service's image by digest to the target that
// ENTRYPOINT_DEPLOY_TARGET names: what to deploy is the operand, else
// ENTRYPOINT_DEPLOY_IMAGE, else the image build tags for the current
// commit. It prints the reference it deployed (REPO@sha256:...) on
// stdout once that serves.
func deploy(ctx context.Context, r *runner, s Service, args []string) error {
	cfg, err := deploySettingsFrom(s.Env)
	if err != nil {
		return err
	}
	if r.dryRun {
		r.log = slog.New(slog.DiscardHandler) // a dry run's stdout is the commands alone
	}
	d, err := plan(ctx, r, s, cfg, args)
	if err != nil {
		return err
	}
	if err := d.resolve(ctx, r); err != nil {
		return err
	}
	r.log.Info("deploying", "target", cfg.Target, "name", d.name, "image", d.ref.pinned())
	switch cfg.Target {
	case "docker":
		err = deployDocker(ctx, r, d)
	case "swarm":
		err = deploySwarm(ctx, r, d)
	default:
		err = deployKubernetes(ctx, r, d)
	}
	switch {
	case err == nil && !r.dryRun:
		fmt.Fprintln(r.stdout, d.ref.pinned())
	case err != nil && ctx.Err() != nil && exitcode.Of(err) != exitcode.Interrupted:
		err = exitcode.Wrap(exitcode.Interrupted, fmt.Errorf("interrupted: %w", err))
	}
	return err
}

// deployment is one deploy: what goes where, with which settings.
type deployment struct {
	cfg     deploySettings
	env     map[string]string // the service's environment
	name    string            // container, service or deployment name
	ref     reference         // the image; by digest once resolved
	version string            // the version label: the short revision, the tag or the digest's start
	release bool              // the service declares a Procfile release entry
}

// plan decides what to deploy and under which name, from the operand,
// ENTRYPOINT_DEPLOY_IMAGE or the image's identity (git).
func plan(ctx context.Context, r *runner, s Service, cfg deploySettings, args []string) (deployment, error) {
	d := deployment{cfg: cfg, env: s.Env, name: cfg.Name}
	if s.Tasks != nil && s.Tasks.Procfile != nil {
		_, d.release = s.Tasks.Procfile.Entry("release")
	}
	explicit, code, source := cfg.Image, exitcode.Config, "ENTRYPOINT_DEPLOY_IMAGE"
	switch {
	case len(args) > 1 || len(args) == 1 && strings.HasPrefix(args[0], "-"):
		return d, exitcode.Wrap(exitcode.Usage, fmt.Errorf("deploy takes one operand at most, an image reference (got %q)", strings.Join(args, " ")))
	case len(args) == 1:
		explicit, code, source = args[0], exitcode.Usage, "the image reference"
	}
	if explicit != "" {
		ref, err := parseReference(explicit)
		if err != nil {
			return d, exitcode.Wrap(code, fmt.Errorf("%s: %w", source, err))
		}
		d.ref, d.version = ref, ref.Tag
		if d.name == "" {
			d.name = path.Base(ref.Repo)
		}
	} else {
		img, err := identify(ctx, r, s)
		if err != nil {
			return d, exitcode.Wrap(exitcode.Config, fmt.Errorf("what to deploy: %w (outside a git work tree, name the image: deploy REF or ENTRYPOINT_DEPLOY_IMAGE)", err))
		}
		d.ref = reference{Repo: img.Repo, Tag: img.Short}
		d.version = img.Short
		if d.name == "" {
			d.name = img.Title
		}
	}
	return d, checkName(cfg, d.name)
}

// resolve pins d.ref to a digest: a reference by digest is kept (the
// docker target still pulls it, with retry); any other is pulled and
// read back from the image's RepoDigests. Under DryRun the digest is the
// placeholder <digest>.
func (d *deployment) resolve(ctx context.Context, r *runner) error {
	if err := d.pin(ctx, r); err != nil {
		return err
	}
	if d.version == "" {
		d.version = d.ref.hex12()
	}
	return nil
}

func (d *deployment) pin(ctx context.Context, r *runner) error {
	if d.ref.Digest != "" && d.cfg.Target != "docker" {
		return nil
	}
	host, _ := registryHost(d.ref.Repo)
	digest, err := registry{host: cmp.Or(host, "docker.io")}.pull(ctx, r, d.ref.Repo, d.ref.String())
	switch {
	case err != nil:
		return err
	case r.dryRun:
		d.ref.Digest = cmp.Or(d.ref.Digest, "<digest>")
	case d.ref.Digest == "":
		d.ref.Digest = digest
	}
	return nil
}

// releaseArgv is the docker run of the service's release entry in the new
// image, with the deploy's environment and those of its options that mean
// the same to docker run (see releaseOptions).
func (d deployment) releaseArgv() []string {
	argv := []string{"docker", "run", "--rm"}
	argv = append(argv, d.envOptions("-e")...)
	argv = append(argv, releaseOptions(d.cfg.Args)...)
	return append(argv, d.ref.pinned(), "release")
}

// runRelease runs the release entry, when the service declares one.
func (d deployment) runRelease(ctx context.Context, r *runner, argv []string) error {
	if !d.release {
		return nil
	}
	r.log.Info("running release before traffic moves", "image", d.ref.pinned())
	if err := r.run(ctx, argv...); err != nil {
		return fmt.Errorf("release failed, nothing was deployed: %w", err)
	}
	return nil
}

// envOptions passes each ENTRYPOINT_DEPLOY_ENV variable by name (flag
// NAME): docker takes the value from its own environment, so no value is
// printed.
func (d deployment) envOptions(flag string) []string {
	var opts []string
	for _, name := range d.cfg.Env {
		opts = append(opts, flag, name)
	}
	return opts
}

// releaseOptions keeps, of the deploy's extra options, those that docker
// run and docker service create both take and that the release needs to
// reach what the service reaches: its network, environment, mounts, user
// and working directory. Ports, names, restart and health options stay
// with the service.
func releaseOptions(args []string) []string {
	takes := map[string]bool{"--network": true, "--net": true, "-e": true, "--env": true, "--env-file": true, "--mount": true,
		"-v": true, "--volume": true, "-u": true, "--user": true, "-w": true, "--workdir": true, "--add-host": true, "--dns": true}
	var kept []string
	for i := 0; i < len(args); i++ {
		name, _, inline := strings.Cut(args[i], "=")
		hasValue := !inline && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-")
		if takes[name] {
			kept = append(kept, args[i])
			if hasValue {
				kept = append(kept, args[i+1])
			}
		}
		if hasValue {
			i++
		}
	}
	return kept
}
