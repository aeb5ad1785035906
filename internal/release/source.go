package release

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// source is what a release says about the code it was built from.
type source struct {
	version  string    // "v1.2.3", "v1.2.3-4-g0123abc-dirty"
	revision string    // "0123abc", "0123abc-dirty"
	date     time.Time // SOURCE_DATE_EPOCH, else the commit's time
}

func (s source) epoch() string { return strconv.FormatInt(s.date.Unix(), 10) }

// identify asks git for the revision, and for the version and the date
// the caller did not set. Dirty means `git status --porcelain` lists a
// change, untracked files included, as go build's own VCS stamp counts.
func identify(ctx context.Context, r runner, version string) (source, error) {
	var s source
	rev, err := r.query(ctx, "git", "rev-parse", "HEAD")
	if err != nil {
		return s, err
	}
	if len(rev) < 7 {
		return s, fmt.Errorf("release: git rev-parse HEAD printed %q, no revision", rev)
	}
	changes, err := r.query(ctx, "git", "status", "--porcelain")
	if err != nil {
		return s, err
	}
	s.revision = rev[:7]
	if changes != "" {
		s.revision += "-dirty"
	}
	if s.date, err = sourceDate(ctx, r); err != nil {
		return s, err
	}
	s.version, err = resolveVersion(ctx, r, version)
	return s, err
}

// sourceDate is SOURCE_DATE_EPOCH, or the time of the commit when unset.
func sourceDate(ctx context.Context, r runner) (time.Time, error) {
	epoch, from := r.env["SOURCE_DATE_EPOCH"], "SOURCE_DATE_EPOCH"
	if epoch == "" {
		var err error
		if epoch, err = r.query(ctx, "git", "log", "-1", "--format=%ct", "HEAD"); err != nil {
			return time.Time{}, err
		}
		from = "git log"
	}
	sec, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, exitcode.Wrap(exitcode.Config, fmt.Errorf("release: source date %q (from %s) is no count of seconds since 1970; set SOURCE_DATE_EPOCH to one, or unset it to use the commit's time", epoch, from))
	}
	return time.Unix(sec, 0).UTC(), nil
}

// versionWord is what a version may hold: one word the linker's -X takes
// as it is, and a file name or a URL may carry.
var versionWord = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._+~-]*$`)

// resolveVersion is version, else ENTRYPOINT_VERSION, else what
// `git describe --tags --always --dirty` says.
func resolveVersion(ctx context.Context, r runner, version string) (string, error) {
	from := "Options.Version"
	if version == "" {
		version, from = r.env["ENTRYPOINT_VERSION"], "ENTRYPOINT_VERSION"
	}
	if version == "" {
		var err error
		if version, err = r.query(ctx, "git", "describe", "--tags", "--always", "--dirty"); err != nil {
			return "", err
		}
		from = "git describe"
	}
	if !versionWord.MatchString(version) {
		return "", exitcode.Wrap(exitcode.Config, fmt.Errorf("release: version %q (from %s): use one word of letters, digits and ._+~- (set ENTRYPOINT_VERSION)", version, from))
	}
	return version, nil
}
