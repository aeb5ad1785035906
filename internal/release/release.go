// Package release builds the static entrypoint binaries a release ships,
// and their SHA-256 sums, reproducibly.
//
// Build runs `go build` in the module root once per platform and writes,
// into one directory:
//
//	entrypoint-linux-amd64   static (CGO_ENABLED=0), stripped
//	entrypoint-linux-arm64
//	SHA256SUMS               "HEX  NAME" lines, sorted, for `sha256sum -c`
//
// Guarantees:
//   - Reproducible: the same commit built with the same Go toolchain gives
//     the same bytes, whatever the checkout (clone or worktree), its path,
//     the output directory, the machine or the caller's GOFLAGS. The build
//     is -trimpath, with no build id and no VCS stamp (-buildvcs=false), and
//     pins what changes code generation: CGO_ENABLED=0, GOFLAGS empty,
//     GOAMD64=v1, GOARM64=v8.0.
//   - `entrypoint --version` of a binary prints the version and the revision
//     it was built from ("entrypoint v1.2.3 (0123abc)", "-dirty" appended to
//     the revision when the tree has changes git status shows), linked in
//     with -X.
//   - Every file gets SOURCE_DATE_EPOCH as its modification time (the
//     commit's time when the variable is unset), so an archive of the
//     directory is reproducible too; go build is run with it set.
//   - Each command is printed to Options.Stderr as `+ LINE` before it runs,
//     copy-pasteable; the tools' own output goes there too.
//   - A stale SHA256SUMS is removed first: after a failed build none is left
//     that does not match the binaries beside it.
//
// Errors carry exit codes (internal/exitcode): 78 for an invalid setting
// (Options.Version, ENTRYPOINT_VERSION, SOURCE_DATE_EPOCH, a platform), a
// failed tool's own status otherwise (git outside a checkout: 128).
package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// SumsFile is the name of the file of SHA-256 sums.
const SumsFile = "SHA256SUMS"

// Options says what to build, where, and with which environment.
type Options struct {
	Dir    string // the module root, where the commands run; "" is "."
	OutDir string // where the files go, relative to Dir unless absolute; "" is "dist"
	// Version is what `entrypoint --version` prints; "" is
	// ENTRYPOINT_VERSION, else `git describe --tags --always --dirty`.
	Version string
	// Platforms are "linux/ARCH" pairs; nil is linux/amd64 and linux/arm64.
	Platforms []string
	// Env is the environment git and go run with (PATH, HOME, GOCACHE…),
	// and where ENTRYPOINT_VERSION and SOURCE_DATE_EPOCH are read.
	Env    map[string]string
	Stderr io.Writer // command lines and the tools' output; nil discards them
}

// Artifacts is what Build wrote.
type Artifacts struct {
	Dir        string    // the output directory
	Version    string    // the version linked in
	Revision   string    // the revision linked in: "0123abc", "0123abc-dirty"
	SourceDate time.Time // every file's modification time
	Binaries   []File    // in the order of Options.Platforms
	Sums       string    // the path of SHA256SUMS
}

// File is one binary.
type File struct {
	Platform string // "linux/amd64"
	Path     string // its path: Artifacts.Dir/entrypoint-linux-amd64
	SHA256   string // its sum, lower-case hex
}

// Build builds the binaries and SHA256SUMS as the package doc says.
func Build(ctx context.Context, o Options) (Artifacts, error) {
	o = o.withDefaults()
	if err := checkPlatforms(o.Platforms); err != nil {
		return Artifacts{}, err
	}
	r := runner{dir: o.Dir, env: o.Env, stderr: o.Stderr}
	src, err := identify(ctx, r, o.Version)
	if err != nil {
		return Artifacts{}, err
	}
	a := Artifacts{Dir: o.outDir(), Version: src.version, Revision: src.revision, SourceDate: src.date, Sums: filepath.Join(o.outDir(), SumsFile)}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return Artifacts{}, fmt.Errorf("release: %w", err)
	}
	if err := os.Remove(a.Sums); err != nil && !os.IsNotExist(err) {
		return Artifacts{}, fmt.Errorf("release: remove the stale sums: %w", err)
	}
	for _, p := range o.Platforms {
		f, err := buildOne(ctx, r, o, src, p)
		if err != nil {
			return Artifacts{}, err
		}
		a.Binaries = append(a.Binaries, f)
	}
	if err := writeSums(a); err != nil {
		return Artifacts{}, err
	}
	return a, nil
}

func (o Options) withDefaults() Options {
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.OutDir == "" {
		o.OutDir = "dist"
	}
	if o.Platforms == nil {
		o.Platforms = []string{"linux/amd64", "linux/arm64"}
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	return o
}

// outDir is the output directory as a path from the caller's directory.
func (o Options) outDir() string {
	if filepath.IsAbs(o.OutDir) {
		return o.OutDir
	}
	return filepath.Join(o.Dir, o.OutDir)
}

// arches are the architectures a release builds for, with the variables
// that pin their code generation.
var arches = map[string][]string{
	"amd64": {"GOAMD64=v1"},
	"arm64": {"GOARM64=v8.0"},
}

func checkPlatforms(platforms []string) error {
	for _, p := range platforms {
		goos, arch, _ := strings.Cut(p, "/")
		if _, ok := arches[arch]; goos != "linux" || !ok {
			return exitcode.Wrap(exitcode.Config, fmt.Errorf("release: platform %q: entrypoint releases are for linux/amd64 and linux/arm64", p))
		}
	}
	return nil
}

// buildOne builds the binary for platform p and returns it with its sum.
func buildOne(ctx context.Context, r runner, o Options, src source, p string) (File, error) {
	arch := strings.TrimPrefix(p, "linux/")
	name := "entrypoint-linux-" + arch
	ldflags := fmt.Sprintf("-s -w -buildid= -X main.versionOverride=%s -X main.revisionOverride=%s", src.version, src.revision)
	env := append([]string{"SOURCE_DATE_EPOCH=" + src.epoch(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + arch}, arches[arch]...)
	env = append(env, "GOFLAGS=")
	argv := []string{"go", "build", "-trimpath", "-buildvcs=false", "-ldflags=" + ldflags, "-o", filepath.Join(o.OutDir, name), "./entrypoint"}
	if err := r.run(ctx, env, argv, nil); err != nil {
		return File{}, err
	}
	f := File{Platform: p, Path: filepath.Join(o.outDir(), name)}
	sum, err := finish(f.Path, 0o755, src.date)
	f.SHA256 = sum
	return f, err
}

// writeSums writes SHA256SUMS, one "HEX  NAME" line a binary, by name.
func writeSums(a Artifacts) error {
	byName := slices.SortedFunc(slices.Values(a.Binaries), func(x, y File) int { return strings.Compare(x.Path, y.Path) })
	var sums strings.Builder
	for _, f := range byName {
		fmt.Fprintf(&sums, "%s  %s\n", f.SHA256, filepath.Base(f.Path))
	}
	if err := os.WriteFile(a.Sums, []byte(sums.String()), 0o644); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	_, err := finish(a.Sums, 0o644, a.SourceDate)
	return err
}

// finish gives the file at path its mode and modification time, whatever
// the umask and the clock, and returns its SHA-256 sum.
func finish(path string, mode os.FileMode, date time.Time) (string, error) {
	if err := os.Chmod(path, mode); err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	if err := os.Chtimes(path, date, date); err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("release: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("release: read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
