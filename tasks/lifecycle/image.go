package lifecycle

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
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
func identify(ctx context.Context, r *runner, s Service) (image, error) {
	name := s.Env["ENTRYPOINT_IMAGE"]
	if name == "" {
		name = tagSafe(strings.ToLower(filepath.Base(s.Dir)))
	}
	i := image{Repo: name, Title: filepath.Base(name)}
	if reg := strings.TrimSuffix(s.Env["ENTRYPOINT_REGISTRY"], "/"); reg != "" {
		i.Repo = reg + "/" + name
	}
	rev, err := r.query(ctx, "git", "rev-parse", "HEAD")
	if err != nil {
		return i, err
	}
	i.Revision = rev
	i.Short = rev[:min(12, len(rev))]
	status, err := r.query(ctx, "git", "status", "--porcelain", "--untracked-files=normal", "--", ".")
	if err != nil {
		return i, err
	}
	if status != "" {
		i.Dirty = true
		i.Short += "-dirty"
	}
	if branch, err := r.query(ctx, "git", "rev-parse", "--abbrev-ref", "HEAD"); err == nil && branch != "HEAD" {
		i.Branch = tagSafe(branch)
	}
	return i, nil
}

var unsafeTag = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// tagSafe turns s into a valid tag: letters, digits, _ . -; at most 128
// characters, not starting with . or -.
func tagSafe(s string) string {
	s = strings.TrimLeft(unsafeTag.ReplaceAllString(s, "-"), ".-")
	return s[:min(128, len(s))]
}
