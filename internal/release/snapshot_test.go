package release_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// snapshot copies this checkout's working tree as it is (the files git
// tracks or would track, uncommitted changes included) into a new
// repository at TEMPDIR/sub and commits it. Two snapshots of one tree have
// the same commit: same files, same author, same date.
func snapshot(t *testing.T, sub string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), sub)
	files := git(t, moduleRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, name := range strings.Split(strings.TrimRight(files, "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(moduleRoot, name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		require.NoError(t, err)
		info, err := os.Stat(filepath.Join(moduleRoot, name))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dst, name), data, info.Mode().Perm()))
	}
	commit(t, dst)
	return dst
}

// commit makes dir a repository of one commit of all its files, by a fixed
// author at snapshotDate.
func commit(t *testing.T, dir string) {
	t.Helper()
	git(t, dir, "init", "--quiet")
	git(t, dir, "add", "--all")
	git(t, dir, "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "--message", "snapshot")
}

// git runs git in dir, as a fixed author at snapshotDate, and returns its
// output, trimmed.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := snapshotDate.Format("2006-01-02T15:04:05Z")
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=release test", "GIT_AUTHOR_EMAIL=release@test", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=release test", "GIT_COMMITTER_EMAIL=release@test", "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}
