package user_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/internal/prelude/user"
)

func owner(t *testing.T, path string) (uid, gid uint32) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}

func mkfiles(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChown(t *testing.T) {
	needs.Root(t)
	outside := filepath.Join(t.TempDir(), "outside")
	data, cache := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "cache")
	files := []string{filepath.Join(data, "a"), filepath.Join(data, "sub", "deeper", "b"), filepath.Join(cache, "c")}
	mkfiles(t, append(files, outside)...)
	link, dirLink := filepath.Join(data, "sub", "link"), filepath.Join(data, "dirlink")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), dirLink); err != nil {
		t.Fatal(err)
	}

	if err := user.Chown([]string{data, cache}, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	changed := append(files, data, cache, filepath.Join(data, "sub"), filepath.Join(data, "sub", "deeper"), link, dirLink)
	for _, p := range changed {
		if uid, gid := owner(t, p); uid != 1234 || gid != 5678 {
			t.Errorf("%s owned by %d:%d, want 1234:5678", p, uid, gid)
		}
	}
	for _, p := range []string{outside, filepath.Dir(outside)} {
		if uid, gid := owner(t, p); uid != 0 || gid != 0 {
			t.Errorf("%s (behind a link) owned by %d:%d: links were followed", p, uid, gid)
		}
	}
}

func TestChownMissingPaths(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	err := user.Chown([]string{a, dir, b}, os.Getuid(), os.Getgid())
	want := "chown " + a + ": lstat " + a + ": no such file or directory\nchown " + b + ": lstat " + b + ": no such file or directory"
	if err == nil || err.Error() != want || exitcode.Of(err) != exitcode.Config {
		t.Errorf("got %v, want 78 and\n%s", err, want)
	}
}

func TestChownNotPermitted(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may chown anything; TestChown covers root")
	}
	err := user.Chown([]string{t.TempDir()}, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "operation not permitted") || exitcode.Of(err) != exitcode.Failure {
		t.Errorf("got %v, want exit 1 and operation not permitted", err)
	}
}
