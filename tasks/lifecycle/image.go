package lifecycle

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// image is the identity of the service's image: where it is pushed and
// the revision it is built from.
type image struct {
	Repo     string // [REGISTRY/]NAME, without tag
	Revision string // the full git commit; "" outside a git work tree
	Short    string // the short commit, "-dirty" appended for a dirty tree: the tag build always sets
	Dirty    bool   // the work tree has uncommitted changes
	Branch   string // the branch as a tag ("" on a detached HEAD)
	Title    string // the service name: NAME's last element
}

// Ref returns Repo:tag.
func (i image) Ref(tag string) string { return i.Repo + ":" + tag }

// identify reads the image's identity from ENTRYPOINT_REGISTRY,
// ENTRYPOINT_IMAGE (default: the service directory's name) and git.
// Outside a git work tree (or in one with no commit yet) Short is
// ENTRYPOINT_VERSION made tag-safe, and without it identify fails with
// a configuration error. An invalid image name is a configuration error.
func identify(ctx context.Context, r *runner, s Service) (image, error) {
	repo, title, err := repoOf(s)
	if err != nil {
		return image{}, exitcode.Wrap(exitcode.Config, err)
	}
	i := image{Repo: repo, Title: title}
	fromGit := i
	err = fromGit.readGit(ctx, r)
	switch version := s.Env["ENTRYPOINT_VERSION"]; {
	case err == nil:
		return fromGit, nil
	case version != "":
		i.Short = tagSafe(version)
		r.log.Warn("not a git work tree with a commit; the image is tagged with ENTRYPOINT_VERSION", "dir", s.Dir, "tag", i.Short)
		return i, nil
	}
	return i, exitcode.Wrap(exitcode.Config, fmt.Errorf("the image is tagged with the git commit, but %s is in no git work tree with a commit (%v): run in a git checkout, or set ENTRYPOINT_VERSION to tag it with a version", s.Dir, err))
}

// repoOf returns the image's repository, ENTRYPOINT_REGISTRY/NAME, and
// its title, NAME's last part; NAME is ENTRYPOINT_IMAGE, else made of
// the service directory's name.
func repoOf(s Service) (repo, title string, err error) {
	name, setting := s.Env["ENTRYPOINT_IMAGE"], "ENTRYPOINT_IMAGE"
	if name == "" {
		name, setting = defaultName(s.Dir), "the service directory's name"
	}
	repo = name
	if reg := strings.TrimSuffix(s.Env["ENTRYPOINT_REGISTRY"], "/"); reg != "" {
		repo, setting = reg+"/"+name, "ENTRYPOINT_REGISTRY and ENTRYPOINT_IMAGE"
	}
	if !validRepo(repo) {
		return "", "", fmt.Errorf("%q (from %s) is no valid image name: use lower-case letters, digits and . _ - in parts joined by /, after an optional registry host; set ENTRYPOINT_IMAGE", repo, setting)
	}
	return repo, path.Base(name), nil
}

// readGit sets the revision, the short tag, the dirty mark and the
// branch from the work tree around the service directory.
func (i *image) readGit(ctx context.Context, r *runner) error {
	rev, err := r.query(ctx, "git", "rev-parse", "HEAD")
	if err != nil {
		return err
	}
	i.Revision = rev
	i.Short = rev[:min(12, len(rev))]
	if i.Dirty, err = dirty(ctx, r); err != nil {
		return err
	}
	if i.Dirty {
		i.Short += "-dirty"
	}
	if branch, err := r.query(ctx, "git", "rev-parse", "--abbrev-ref", "HEAD"); err == nil && branch != "HEAD" {
		i.Branch = tagSafe(branch)
	}
	return nil
}

// dirty reports whether the service directory holds changes git does
// not ignore: to tracked files, or untracked files.
func dirty(ctx context.Context, r *runner) (bool, error) {
	status, err := r.query(ctx, "git", "status", "--porcelain", "--untracked-files=normal", "--", ".")
	return status != "", err
}

// envTags returns the tags ENTRYPOINT_TAGS names, comma-separated.
func envTags(env map[string]string) ([]string, error) {
	var tags []string
	for _, t := range strings.Split(env["ENTRYPOINT_TAGS"], ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if err := checkTag(t); err != nil {
			return nil, fmt.Errorf("ENTRYPOINT_TAGS: %w", err)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// tags returns the tags of the image: Short, the branch, then each of
// extra, without repeats.
func (i image) tags(extra ...[]string) []string {
	tags := []string{i.Short}
	if i.Branch != "" {
		tags = append(tags, i.Branch)
	}
	for _, e := range extra {
		for _, t := range e {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	return tags
}

// warnDirty logs that the image comes from uncommitted changes.
func (i image) warnDirty(r *runner) {
	if i.Dirty {
		r.log.Warn("the service directory has uncommitted changes; the image tag says so", "tag", i.Short)
	}
}

var (
	unsafeTag = pattern(`[^A-Za-z0-9_.-]+`)
	validTag  = pattern(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	// A repository: an optional registry host (a name with a dot or a
	// port, or localhost), then lower-case path parts.
	repoPattern = pattern(`^((localhost|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)(:[0-9]+)?/|[A-Za-z0-9-]+:[0-9]+/)?` +
		`[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
	unsafeName = pattern(`[^a-z0-9._-]+`)
)

// tagSafe turns s into a valid tag: letters, digits, _ . -; at most 128
// characters, not starting with . or -.
func tagSafe(s string) string {
	s = strings.TrimLeft(unsafeTag().ReplaceAllString(s, "-"), ".-")
	return s[:min(128, len(s))]
}

// checkTag says why t is no valid tag, or returns nil.
func checkTag(t string) error {
	if !validTag().MatchString(t) {
		return fmt.Errorf("%q is no valid tag: letters, digits, _ . - (at most 128), not starting with . or -", t)
	}
	return nil
}

// defaultName is the image name the service directory's name makes.
func defaultName(dir string) string {
	name := unsafeName().ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-")
	return strings.Trim(name, "._-")
}

// validRepo reports whether repo is a repository Docker accepts.
func validRepo(repo string) bool {
	return len(repo) <= 255 && repoPattern().MatchString(repo)
}

// registryHost returns the registry part of repo, as Docker reads it: a
// first part with a dot or a port, or localhost; ok is false when repo
// names no registry (Docker would push it to Docker Hub).
func registryHost(repo string) (host string, ok bool) {
	first, rest, found := strings.Cut(repo, "/")
	if !found || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		return "", false
	}
	return first, rest != ""
}
