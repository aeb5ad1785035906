package release_test

import (
	"context"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/internal/release"
)

// moduleRoot is this repository's root, seen from the package directory.
const moduleRoot = "../.."

// snapshotDate is the commit time of every snapshot.
var snapshotDate = time.Unix(1700000000, 0).UTC()

// The release of one tree, built by `go tool mage release` in one checkout
// and by Build in another at another path, into another directory and
// with another GOFLAGS and GOAMD64, is the same bytes; and they are
// static binaries that say their version.
func TestReleaseIsReproducible(t *testing.T) {
	t.Parallel()
	needs.Command(t, "git")
	needs.Command(t, "sha256sum")
	first, second := snapshot(t, "a"), snapshot(t, "b/a/longer/path")

	out, code := mageRelease(t, first, "v1 beta")
	require.Equal(t, exitcode.Config, code, "go tool mage release:\n%s", out)
	require.Contains(t, out, `release: version "v1 beta" (from ENTRYPOINT_VERSION)`)
	out, code = mageRelease(t, first, "v1.2.3-test")
	require.Equal(t, 0, code, "go tool mage release:\n%s", out)
	require.Contains(t, out, "dist/SHA256SUMS\n")

	env := testEnv()
	env["GOFLAGS"], env["GOAMD64"] = "-race -buildvcs=true", "v3"
	a, err := release.Build(context.Background(), release.Options{Dir: second, OutDir: t.TempDir(), Version: "v1.2.3-test", Env: env, Stderr: io.Discard})
	require.NoError(t, err)
	firstSums, err := os.ReadFile(filepath.Join(first, "dist", release.SumsFile))
	require.NoError(t, err)
	secondSums, err := os.ReadFile(a.Sums)
	require.NoError(t, err)
	require.Equal(t, string(firstSums), string(secondSums), "two builds of one tree")

	dist := filepath.Join(first, "dist")
	t.Run("the sums verify with sha256sum -c", func(t *testing.T) {
		check := exec.Command("sha256sum", "--check", "--strict", release.SumsFile)
		check.Dir = dist
		out, err := check.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Equal(t, "entrypoint-linux-amd64: OK\nentrypoint-linux-arm64: OK\n", string(out))
	})
	t.Run("--version says the version and the revision", func(t *testing.T) {
		bin := filepath.Join(dist, "entrypoint-linux-"+runtime.GOARCH)
		out, err := exec.Command(bin, "--version").CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Equal(t, "entrypoint v1.2.3-test ("+git(t, first, "rev-parse", "HEAD")[:7]+")\n", string(out))
		require.Equal(t, a.Revision, git(t, first, "rev-parse", "HEAD")[:7])
	})
	t.Run("static binaries for their machine", func(t *testing.T) {
		requireStatic(t, filepath.Join(dist, "entrypoint-linux-amd64"), elf.EM_X86_64)
		requireStatic(t, filepath.Join(dist, "entrypoint-linux-arm64"), elf.EM_AARCH64)
	})
	t.Run("every file has the commit's time and its mode", func(t *testing.T) {
		require.Equal(t, snapshotDate, a.SourceDate)
		for name, mode := range map[string]os.FileMode{"entrypoint-linux-amd64": 0o755, "entrypoint-linux-arm64": 0o755, release.SumsFile: 0o644} {
			info, err := os.Stat(filepath.Join(dist, name))
			require.NoError(t, err)
			require.True(t, snapshotDate.Equal(info.ModTime()), "%s: %s", name, info.ModTime())
			require.Equal(t, mode, info.Mode(), name)
		}
	})
}

func TestBuildTakesTheDateFromSourceDateEpoch(t *testing.T) {
	t.Parallel()
	needs.Command(t, "git")
	a, err := release.Build(context.Background(), release.Options{
		Dir: moduleRoot, OutDir: t.TempDir(), Platforms: []string{"linux/amd64"},
		Env: testEnv("SOURCE_DATE_EPOCH=1234567890", "ENTRYPOINT_VERSION=v0.0.1"),
	})
	require.NoError(t, err)
	date := time.Unix(1234567890, 0)
	require.True(t, date.Equal(a.SourceDate))
	require.Equal(t, "v0.0.1", a.Version)
	for _, path := range []string{a.Binaries[0].Path, a.Sums} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		require.True(t, date.Equal(info.ModTime()), "%s: %s", path, info.ModTime())
	}
}

func TestBuildRejectsBadSettings(t *testing.T) {
	t.Parallel()
	needs.Command(t, "git")
	for _, tc := range []struct {
		name string
		o    release.Options
		want string
		code int
	}{
		{"platform", release.Options{Platforms: []string{"darwin/arm64"}}, `release: platform "darwin/arm64": entrypoint releases are for linux/amd64 and linux/arm64`, exitcode.Config},
		{"version", release.Options{Version: "v1 beta"}, `release: version "v1 beta" (from Options.Version): use one word`, exitcode.Config},
		{"ENTRYPOINT_VERSION", release.Options{Env: testEnv("ENTRYPOINT_VERSION=1.0;x")}, `release: version "1.0;x" (from ENTRYPOINT_VERSION)`, exitcode.Config},
		{"SOURCE_DATE_EPOCH", release.Options{Env: testEnv("SOURCE_DATE_EPOCH=yesterday")}, `release: source date "yesterday" (from SOURCE_DATE_EPOCH) is no count of seconds`, exitcode.Config},
		{"no checkout", release.Options{Dir: t.TempDir(), Env: testEnv()}, "release: git rev-parse HEAD: exit status 128: fatal: not a git repository", 128},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.o.Dir == "" {
				tc.o.Dir = moduleRoot
			}
			if tc.o.Env == nil {
				tc.o.Env = testEnv()
			}
			tc.o.OutDir = t.TempDir()
			_, err := release.Build(context.Background(), tc.o)
			require.ErrorContains(t, err, tc.want)
			require.Equal(t, tc.code, exitcode.Of(err))
			entries, err := os.ReadDir(tc.o.OutDir)
			require.NoError(t, err)
			require.Empty(t, entries, "nothing is written")
		})
	}
}

// A build that fails leaves no SHA256SUMS behind, not even an old one.
func TestFailedBuildLeavesNoStaleSums(t *testing.T) {
	t.Parallel()
	needs.Command(t, "git")
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/nothing\n")
	commit(t, dir)
	out := t.TempDir()
	write(t, filepath.Join(out, release.SumsFile), "0000  entrypoint-linux-amd64\n")
	var stderr strings.Builder
	_, err := release.Build(context.Background(), release.Options{Dir: dir, OutDir: out, Version: "v1", Env: testEnv(), Stderr: &stderr})
	require.ErrorContains(t, err, "release: SOURCE_DATE_EPOCH=1700000000 CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOAMD64=v1 GOFLAGS= go build -trimpath -buildvcs=false ")
	require.Equal(t, 1, exitcode.Of(err))
	require.Contains(t, stderr.String(), "\n+ SOURCE_DATE_EPOCH=1700000000 CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOAMD64=v1 GOFLAGS= go build -trimpath -buildvcs=false '-ldflags=-s -w -buildid= -X main.versionOverride=v1 -X main.revisionOverride=")
	require.NoFileExists(t, filepath.Join(out, release.SumsFile))
}

// mageRelease runs `go tool mage release` in dir with ENTRYPOINT_VERSION
// set to version, and returns its output and exit status.
func mageRelease(t *testing.T, dir, version string) (string, int) {
	t.Helper()
	mage := exec.Command("go", "tool", "mage", "release")
	mage.Dir, mage.Env = dir, environ.List(testEnv("ENTRYPOINT_VERSION="+version))
	out, err := mage.CombinedOutput()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		require.NoError(t, err)
	}
	return string(out), mage.ProcessState.ExitCode()
}

// testEnv is the test's environment without the settings Build reads,
// and with assignments added.
func testEnv(assignments ...string) map[string]string {
	env := environ.Map(os.Environ())
	delete(env, "ENTRYPOINT_VERSION")
	delete(env, "SOURCE_DATE_EPOCH")
	for k, v := range environ.Map(assignments) {
		env[k] = v
	}
	return env
}

func requireStatic(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(path)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, machine, f.Machine, path)
	for _, p := range f.Progs {
		require.NotContains(t, []elf.ProgType{elf.PT_INTERP, elf.PT_DYNAMIC}, p.Type, "%s is dynamically linked", path)
	}
}
