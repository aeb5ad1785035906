package lifecycle

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// build runs the service's compile task, if it declares one, then
// docker build of the service directory, tagged with image.tags, with
// the OCI labels and the build args the base images consume; it prints
// each reference it tagged on stdout.
func build(ctx context.Context, r *runner, s Service, args []string) error {
	var tagged tagFlag
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.Var(&tagged, "tag", "also tag the image REPO:`NAME` (repeatable; ENTRYPOINT_TAGS adds more, comma-separated)")
	file := fs.String("file", s.Env["ENTRYPOINT_DOCKERFILE"], "the Dockerfile's `PATH`, relative to the service directory (ENTRYPOINT_DOCKERFILE; default Dockerfile)")
	extra, err := parseArgs(fs, args, "DOCKER-BUILD-OPTION...", r.stderr)
	if err != nil {
		return helpIsDone(err)
	}
	_, _, repoErr := repoOf(s)
	fromEnv, tagsErr := envTags(s.Env)
	created, timeErr := createdAt(s.Env)
	if err := settingErrors(repoErr, tagsErr, timeErr); err != nil {
		return err
	}
	i, err := identify(ctx, r, s)
	if err != nil {
		return err
	}
	tags := i.tags(tagged, fromEnv)
	m, err := describe(ctx, r, s, i, created)
	if err != nil {
		return err
	}
	i.warnDirty(r)
	if err := compile(ctx, r, s, i); err != nil {
		return err
	}
	if err := r.run(ctx, buildCommand(i, tags, m, *file, extra)...); err != nil {
		return interrupted(ctx, err)
	}
	if !r.dryRun {
		for _, t := range tags {
			fmt.Fprintln(r.stdout, i.Ref(t))
		}
	}
	return nil
}

// metadata is what build says about the image besides its identity.
type metadata struct {
	Version string // ENTRYPOINT_VERSION, else git describe
	Created string // RFC 3339, UTC
	Source  string // the origin remote's URL without credentials; "" when there is none
}

// describe reads the version and the source of the image created at
// created: ENTRYPOINT_VERSION, else `git describe --tags --always` marked
// -dirty as the tag is; the origin remote's URL, if there is one.
func describe(ctx context.Context, r *runner, s Service, i image, created string) (metadata, error) {
	m := metadata{Version: s.Env["ENTRYPOINT_VERSION"], Created: created}
	if i.Revision == "" {
		return m, nil // not from git: the version is ENTRYPOINT_VERSION (identify checked)
	}
	if m.Version == "" {
		described, err := r.query(ctx, "git", "describe", "--tags", "--always")
		if err != nil {
			return m, err
		}
		m.Version = described
		if i.Dirty {
			m.Version += "-dirty"
		}
	}
	remotes, err := r.query(ctx, "git", "remote")
	if err != nil || !slices.Contains(strings.Fields(remotes), "origin") {
		return m, nil
	}
	origin, err := r.query(ctx, "git", "remote", "get-url", "origin")
	if err != nil {
		return m, nil
	}
	m.Source = withoutCredentials(origin)
	return m, nil
}

// createdAt is the image's creation time: SOURCE_DATE_EPOCH (seconds,
// for reproducible builds), else now; RFC 3339, UTC.
func createdAt(env map[string]string) (string, error) {
	epoch := env["SOURCE_DATE_EPOCH"]
	if epoch == "" {
		return time.Now().UTC().Format(time.RFC3339), nil
	}
	sec, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return "", fmt.Errorf("SOURCE_DATE_EPOCH=%q: want the build time as seconds since 1970-01-01 UTC, or leave it unset", epoch)
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339), nil
}

// withoutCredentials drops the user and password (a token) of a URL.
func withoutCredentials(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.User == nil || u.Host == "" {
		return remote
	}
	u.User = nil
	return u.String()
}

// buildCommand is the docker build line.
func buildCommand(i image, tags []string, m metadata, file string, extra []string) []string {
	argv := []string{"docker", "build"}
	if file != "" {
		argv = append(argv, "--file", file)
	}
	for _, t := range tags {
		argv = append(argv, "--tag", i.Ref(t))
	}
	const oci = "org.opencontainers.image."
	labels := [][2]string{{"created", m.Created}, {"revision", i.Revision}, {"source", m.Source}, {"title", i.Title}, {"version", m.Version}}
	for _, l := range labels {
		if l[1] != "" {
			argv = append(argv, "--label", oci+l[0]+"="+l[1])
		}
	}
	buildArgs := [][2]string{{"SERVICE_NAME", i.Title}, {"GIT_COMMIT", i.Revision}, {"VERSION", m.Version}}
	for _, a := range buildArgs {
		if a[1] != "" {
			argv = append(argv, "--build-arg", a[0]+"="+a[1])
		}
	}
	argv = append(argv, extra...)
	return append(argv, ".")
}

// compile runs the service's compile task, if its Procfile declares one,
// and stops the build with the task's status when it fails; a dry run
// prints it. It warns when the task leaves the tree dirty, since the
// next task would then look for a -dirty tag.
func compile(ctx context.Context, r *runner, s Service, i image) error {
	if s.Tasks == nil || s.Tasks.Procfile == nil {
		return nil
	}
	if _, ok := s.Tasks.Procfile.Entry("compile"); !ok {
		return nil
	}
	t, err := s.Tasks.Resolve("compile", nil)
	if err != nil {
		return err
	}
	if r.dryRun {
		fmt.Fprint(r.stdout, tasks.DryRun(t))
		return nil
	}
	if code := r.task(ctx, t); code != 0 {
		return interrupted(ctx, exitcode.Wrap(code, fmt.Errorf("the compile task failed with status %d; nothing was built", code)))
	}
	if changed, err := dirty(ctx, r); !i.Dirty && i.Revision != "" && err == nil && changed {
		r.log.Warn("the compile task changed the work tree: add its output to .gitignore, or publish and deploy will look for a -dirty tag", "dir", s.Dir)
	}
	return nil
}

// interrupted makes err, the error of a step that ctx's end cut short,
// an interruption (130); other errors pass unchanged.
func interrupted(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil {
		return err
	}
	return exitcode.Wrap(exitcode.Interrupted, fmt.Errorf("interrupted: %w", err))
}

// helpIsDone turns the end of a usage request into success.
func helpIsDone(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
