package main

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// The Go example's in-image leg: an image with a Go toolchain in it, made
// from this machine's toolchain (no registry is reachable), so that
// `docker run IMAGE test_unit` runs `go test` as the service's CI would.

// goBaseFormat is the version of what makeGoBase puts in the base image:
// bump it when that changes. The tag also holds the Go version and a hash
// of the standard packages copied, so a new toolchain or a new import in
// the example makes a new base.
const goBaseFormat = "1"

// goImageEnv is the Go environment of the image. The build that warms the
// image's build cache on this machine runs with the same settings, so that
// the image finds its standard packages compiled under the same keys.
var goImageEnv = []string{
	"PATH=/usr/local/go/bin:/usr/local/bin",
	"HOME=/root",
	"GOCACHE=/root/.cache/go-build",
	"GOPATH=/root/go",
	"GOENV=off",         // no configuration file: the environment is all
	"CGO_ENABLED=0",     // there is no C compiler in the image
	"GOTOOLCHAIN=local", // never download a toolchain
	"GOPROXY=off",       // nor a module: the example needs none
}

// goTools are the tools `go test` runs: vet runs before the tests, asm
// assembles the runtime's .s files.
var goTools = []string{"compile", "asm", "link", "vet"}

// goExampleFiles are the files of examples/helloworld-go the image holds
// (the magefile is for the host).
var goExampleFiles = []string{"Procfile", "main.go", "main_test.go"}

// goToolchain is what the base image is made of: the local GOROOT, trimmed
// to the tools above and to the non-test sources of the standard packages
// the example's tests build, and a build cache holding them compiled.
type goToolchain struct {
	goroot, tooldir string
	std             []string // directories of the standard packages
	ref             string
}

// localGoToolchain reads the local toolchain and names its base image.
func localGoToolchain(ctx context.Context, exampleDir string) (goToolchain, error) {
	var env struct{ GOROOT, GOTOOLDIR, GOVERSION string }
	out, err := exec.CommandContext(ctx, "go", "env", "-json", "GOROOT", "GOTOOLDIR", "GOVERSION").Output()
	if err != nil {
		return goToolchain{}, fmt.Errorf("go env: %w", err)
	}
	if err := json.Unmarshal(out, &env); err != nil {
		return goToolchain{}, fmt.Errorf("go env: %w", err)
	}
	list := exec.CommandContext(ctx, "go", "list", "-deps", "-test", "-f", "{{if .Standard}}{{.Dir}}{{end}}", ".")
	list.Dir = exampleDir
	list.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err = list.Output(); err != nil {
		return goToolchain{}, fmt.Errorf("go list -deps -test: %w", err)
	}
	tc := goToolchain{goroot: env.GOROOT, tooldir: env.GOTOOLDIR, std: strings.Fields(string(out))}
	sum := sha256.Sum256([]byte(goBaseFormat + "\n" + strings.Join(tc.std, "\n")))
	tc.ref = fmt.Sprintf("entrypoint-e2e/go:%s-%s", env.GOVERSION, hex.EncodeToString(sum[:6]))
	return tc, nil
}

// goBaseTimeout bounds the making of the base image.
const goBaseTimeout = 5 * time.Minute

// goBaseOnce makes the base image when it is missing: about 20 s the
// first time on a 2-core machine (most of it compiling the standard
// packages), nothing after.
var goBaseOnce = sync.OnceValues(func() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), goBaseTimeout)
	defer cancel()
	dir, err := filepath.Abs(filepath.Join("..", "examples", "helloworld-go"))
	if err != nil {
		return "", err
	}
	tc, err := localGoToolchain(ctx, dir)
	if err != nil {
		return "", err
	}
	if (dockertest.Engine{}).Command(ctx, "image", "inspect", tc.ref).Run() == nil {
		return tc.ref, nil
	}
	if err := makeGoBase(ctx, tc, dir); err != nil {
		return tc.ref, fmt.Errorf("make %s (deadline %v): %w", tc.ref, goBaseTimeout, err)
	}
	return tc.ref, nil
})

// goBase makes sure the Go base image exists and returns its tag.
func goBase(t *testing.T) string {
	t.Helper()
	needs.Docker(t)
	needs.Command(t, "go")
	ref, err := goBaseOnce()
	require.NoError(t, err, "the Go base image")
	return ref
}

// makeGoBase warms a build cache with the example's test build, writes the
// toolchain and the cache to a tar and imports it as tc.ref.
func makeGoBase(ctx context.Context, tc goToolchain, exampleDir string) error {
	tmp, err := os.MkdirTemp("", "entrypoint-e2e-go-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	app := filepath.Join(tmp, "app")
	if err := writeGoApp(app, exampleDir); err != nil {
		return err
	}
	cache := filepath.Join(tmp, "cache")
	warm := exec.CommandContext(ctx, filepath.Join(tc.goroot, "bin", "go"), "test", "-count=1", "-run", "^$", ".")
	warm.Dir = app
	warm.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp, "GOCACHE=" + cache, "GOPATH=" + filepath.Join(tmp, "gopath")}
	for _, kv := range goImageEnv {
		if k, _, _ := strings.Cut(kv, "="); k != "PATH" && k != "HOME" && k != "GOCACHE" && k != "GOPATH" {
			warm.Env = append(warm.Env, kv)
		}
	}
	if out, err := warm.CombinedOutput(); err != nil {
		return fmt.Errorf("warm the build cache: go test: %w\n%s", err, out)
	}
	archive := filepath.Join(tmp, "base.tar")
	if err := writeGoBaseTar(archive, tc, cache); err != nil {
		return fmt.Errorf("write %s: %w", archive, err)
	}
	args := []string{"import"}
	for _, kv := range goImageEnv {
		args = append(args, "--change", "ENV "+kv)
	}
	if out, err := (dockertest.Engine{}).Command(ctx, append(args, archive, tc.ref)...).CombinedOutput(); err != nil {
		return fmt.Errorf("docker import: %w\n%s", err, out)
	}
	return nil
}

// writeGoApp writes the example's files to dst, with a go.mod. The example
// has no go.mod of its own (it is part of this module, see docs/tasks.md),
// and this module's requirements cannot be met offline in the image; the
// example imports only the standard library, so the image gets a go.mod
// generated here: the example's import path (the report names it) and
// this module's go line (the language version it is compiled with).
func writeGoApp(dst, exampleDir string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, f := range goExampleFiles {
		if err := copyRegular(filepath.Join(dst, f), filepath.Join(exampleDir, f)); err != nil {
			return err
		}
	}
	modFile, err := os.ReadFile(filepath.Join(exampleDir, "..", "..", "go.mod"))
	if err != nil {
		return err
	}
	goLine := regexp.MustCompile(`(?m)^go \S+$`).Find(modFile)
	if goLine == nil {
		return fmt.Errorf("no go line in this module's go.mod")
	}
	mod := fmt.Sprintf("// Generated by entrypoint's tests for the image; see task_docker_go_test.go.\nmodule github.com/entrypoint/entrypoint/examples/helloworld-go\n\n%s\n", goLine)
	return os.WriteFile(filepath.Join(dst, "go.mod"), []byte(mod), 0o644)
}

func copyRegular(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// writeGoBaseTar writes the image's root: the trimmed GOROOT at
// /usr/local/go, the warm cache at /root/.cache/go-build, and /tmp.
func writeGoBaseTar(path string, tc goToolchain, cache string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := &rootTar{tw: tar.NewWriter(f), dirs: map[string]bool{".": true}}
	const goroot = "usr/local/go"
	files := map[string]string{} // path in the image: path here
	for _, name := range []string{"VERSION", "go.env", "bin/go", "src/go.mod", "src/vendor/modules.txt"} {
		files[goroot+"/"+name] = filepath.Join(tc.goroot, name)
	}
	toolRel, err := filepath.Rel(tc.goroot, tc.tooldir)
	if err != nil {
		return err
	}
	for _, tool := range goTools {
		files[goroot+"/"+filepath.ToSlash(toolRel)+"/"+tool] = filepath.Join(tc.tooldir, tool)
	}
	dirs := append([]string{filepath.Join(tc.goroot, "pkg", "include")}, tc.std...)
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(tc.goroot, dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), "_test.go") {
				files[goroot+"/"+filepath.ToSlash(rel)+"/"+e.Name()] = filepath.Join(dir, e.Name())
			}
		}
	}
	err = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(cache, p)
		files["root/.cache/go-build/"+filepath.ToSlash(rel)] = p
		return err
	})
	if err != nil {
		return err
	}
	if err := r.dir("tmp", 0o1777); err != nil {
		return err
	}
	for name, src := range files {
		if err := r.file(name, src); err != nil {
			return err
		}
	}
	if err := r.tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// rootTar writes an image root, every directory before what it holds,
// owned by root.
type rootTar struct {
	tw   *tar.Writer
	dirs map[string]bool
}

func (r *rootTar) dir(name string, mode int64) error {
	if r.dirs[name] {
		return nil
	}
	if err := r.dir(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	r.dirs[name] = true
	return r.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode})
}

func (r *rootTar) file(name, src string) error {
	if err := r.dir(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	err = r.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: int64(fi.Mode().Perm()), Size: fi.Size(), ModTime: fi.ModTime()})
	if err != nil {
		return err
	}
	_, err = io.Copy(r.tw, in)
	return err
}

// goImage builds the helloworld-go example into an image on the Go base,
// with the binary as ENTRYPOINT, as a service image would be.
func goImage(t *testing.T) *dockertest.Image {
	t.Helper()
	app := filepath.Join(t.TempDir(), "app")
	require.NoError(t, writeGoApp(app, example(t, "helloworld-go")))
	files := map[string]string{"go.mod": filepath.Join(app, "go.mod")}
	for _, f := range goExampleFiles {
		files[f] = filepath.Join(app, f)
	}
	return serviceImage(t, goBase(t), files)
}

// TestTaskParityNativeAndGoImage runs the Go example's test_unit natively,
// as `docker run IMAGE test_unit` and as `entrypoint --in-image IMAGE
// test_unit`: the same status and the same report, passing and failing.
func TestTaskParityNativeAndGoImage(t *testing.T) {
	img := goImage(t)
	dir := example(t, "helloworld-go")
	pkg := "github.com/entrypoint/entrypoint/examples/helloworld-go"
	for _, tc := range []struct {
		name string
		fail string
		code int
		want []string
	}{
		{"passing", "0", 0, []string{"ok  \t" + pkg + "\tT\n"}},
		{"failing", "1", 1, []string{"--- FAIL: TestHello (T)\n", "HELLO_FAIL=1: failing on purpose\n", "FAIL\t" + pkg + "\tT\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// -count=1: a test result cached on this machine would say
			// "(cached)" where the fresh container cannot.
			env := []string{"GOFLAGS=-count=1", "ENTRYPOINT_LOG_FORMAT=json", "HELLO_FAIL=" + tc.fail}
			native, _ := threeWays(t, dir, img, env, tc.code)
			for _, line := range tc.want {
				assert.Contains(t, normalised(native.report), line)
			}
		})
	}
}
