// Package baseimagetest builds the base images of baseimages/ and the
// examples of examples/ on them, on the real engine, the way a user builds
// them: baseimages/build.sh, then `entrypoint compile` where the service
// declares it, then docker build of the service's own directory and
// one-line Dockerfile.
//
// # Guarantees
//
//   - Every image has a tag of its own (TAG test-RANDOM, which is also its
//     org.opencontainers.image.version label, so no two builds share an
//     image ID) and is removed when the test ends, with every container
//     created from it or from an image built on it, and with what failed
//     builds on it left behind.
//   - The Python base is built on PythonRoot (no registry is reachable): a
//     Debian root with python3 and Debian's packages of what the examples
//     need, made with debootstrap once and kept (dockertest.Debootstrap).
//   - An example's Dockerfile must be one line, FROM entrypoint/static or
//     entrypoint/python at :latest; it is built as it is, with that
//     reference replaced by the base just built (docker build -f -).
//   - An example's compile entry runs in its own directory (its dist/ is
//     shared by every test process, so they take turns: dockertest.Lock).
//   - Builds run with --network none: nothing comes from the network.
//
// Tests call needs.Docker(t) first; Build checks it too.
package baseimagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
	"github.com/entrypoint/entrypoint/tasks"
)

// PythonRoot is the base of the Python image in tests, standing in for
// python:3.12-slim: Debian's python3 and pip, and as Debian packages what
// helloworld-python installs from requirements.txt elsewhere (flask,
// gunicorn) and runs its tasks with (pytest, pyflakes). python3-venv is
// for the multi-stage template.
var PythonRoot = dockertest.DebianRoot{
	Name:  "python",
	Suite: "bookworm",
	Packages: []string{"python3", "python3-pip", "python3-venv", "python3-flask", "gunicorn",
		"python3-pytest", "python3-pyflakes"},
}

// Bases are the three base images, built for one test.
type Bases struct {
	Entrypoint, Static, Python string // references
	Tag                        string // their tag
	Revision                   string // the commit they are built from (git rev-parse HEAD)
	Root                       string // the module's directory
}

// Build builds the base images with baseimages/build.sh, the Python one
// on PythonRoot, and removes them when the test ends.
func Build(t testing.TB) *Bases {
	t.Helper()
	needs.Docker(t)
	needs.Command(t, "go")
	needs.Command(t, "git")
	root, revision := moduleRoot(t)
	base := dockertest.Debootstrap(t, PythonRoot)
	b := &Bases{Tag: "test-" + randomHex(t), Revision: revision, Root: root}
	t.Cleanup(func() { b.remove(t) })
	ctx, cancel := context.WithTimeout(context.Background(), dockertest.CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "baseimages", "build.sh"), b.Tag)
	cmd.Env = append(os.Environ(), "BASE="+base, "REPO=entrypoint")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := dockertest.Building(t)
	err := cmd.Run()
	done()
	if err != nil {
		t.Fatalf("baseimagetest: baseimages/build.sh %s: %v\n%s", b.Tag, err, stderr.String())
	}
	refs := strings.Fields(stdout.String())
	want := []string{"entrypoint/entrypoint:" + b.Tag, "entrypoint/static:" + b.Tag, "entrypoint/python:" + b.Tag}
	if strings.Join(refs, " ") != strings.Join(want, " ") {
		t.Fatalf("baseimagetest: build.sh printed %q, want %q\n%s", refs, want, stderr.String())
	}
	b.Entrypoint, b.Static, b.Python = refs[0], refs[1], refs[2]
	return b
}

// remove removes every container made from the bases or from images built
// on them, what failed builds left (images that still carry the bases'
// version label), then the bases.
func (b *Bases) remove(t testing.TB) {
	defer dockertest.Removing(t)()
	e := dockertest.Engine{}
	refs := []string{"entrypoint/entrypoint:" + b.Tag, "entrypoint/static:" + b.Tag, "entrypoint/python:" + b.Tag}
	for _, ref := range refs {
		if e.Docker(t, "image", "inspect", ref).Code != 0 {
			continue
		}
		if ids := strings.Fields(e.Output(t, "ps", "--all", "--quiet", "--no-trunc", "--filter", "ancestor="+ref)); len(ids) > 0 {
			e.Output(t, append([]string{"rm", "--force", "--volumes"}, ids...)...)
		}
	}
	left := strings.Fields(e.Output(t, "images", "--all", "--quiet", "--filter", "label=org.opencontainers.image.version="+b.Tag))
	for _, id := range left { // newest first: children before parents
		e.Docker(t, "rmi", id)
	}
	e.Docker(t, append([]string{"rmi", "--force"}, refs...)...)
}

// fromLine is the one line of an example's Dockerfile.
var fromLine = regexp.MustCompile(`^FROM (entrypoint/(static|python)):latest\n$`)

// Example builds examples/NAME on the bases: its compile entry first when
// its Procfile declares one, then its own directory and Dockerfile with
// the build arguments `entrypoint build` passes (SERVICE_NAME=NAME,
// GIT_COMMIT=b.Revision, VERSION=b.Tag). The image, tagged
// entrypoint-test/NAME:TAG-RANDOM, is removed when the test ends.
func (b *Bases) Example(t testing.TB, name string) *dockertest.Image {
	t.Helper()
	dir := filepath.Join(b.Root, "examples", name)
	dockerfile, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatalf("baseimagetest: %v", err)
	}
	m := fromLine.FindStringSubmatch(string(dockerfile))
	if m == nil {
		t.Fatalf("baseimagetest: %s/Dockerfile is %q: want one line, FROM entrypoint/static:latest or entrypoint/python:latest", dir, dockerfile)
	}
	from := map[string]string{"static": b.Static, "python": b.Python}[m[2]]
	defer dockertest.Lock(t, dir)()
	b.compile(t, dir)
	// A tag and a label of its own: two builds of one example are two
	// images, whose containers are removed with each.
	ref := "entrypoint-test/" + name + ":" + b.Tag + "-" + randomHex(t)
	ctx, cancel := context.WithTimeout(context.Background(), dockertest.CommandTimeout)
	defer cancel()
	build := (dockertest.Engine{}).Command(ctx, "build", "--network", "none", "--file", "-", "--tag", ref, "--label", "dockertest.ref="+ref,
		"--build-arg", "SERVICE_NAME="+name, "--build-arg", "GIT_COMMIT="+b.Revision, "--build-arg", "VERSION="+b.Tag, dir)
	build.Stdin = strings.NewReader("FROM " + from + "\n")
	done := dockertest.Building(t)
	out, err := build.CombinedOutput()
	done()
	if err != nil {
		t.Fatalf("baseimagetest: docker build %s: %v\n%s", dir, err, out)
	}
	return dockertest.Engine{}.Adopt(t, ref)
}

// compile runs the service's compile entry, if it declares one, as
// `entrypoint compile` in its directory (through go run: this module's
// entrypoint at this revision).
func (b *Bases) compile(t testing.TB, dir string) {
	t.Helper()
	reg, err := tasks.Load(dir, nil)
	if err != nil {
		t.Fatalf("baseimagetest: %v", err)
	}
	if _, ok := reg.Procfile.Entry("compile"); !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dockertest.CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./entrypoint", "--dir", dir, "compile")
	cmd.Dir = b.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("baseimagetest: entrypoint compile in %s: %v\n%s", dir, err, out)
	}
}

var moduleOnce = sync.OnceValues(func() ([2]string, error) {
	mod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return [2]string{}, fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(mod)))
	rev, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return [2]string{}, fmt.Errorf("git rev-parse HEAD in %s: %w", root, err)
	}
	return [2]string{root, strings.TrimSpace(string(rev))}, nil
})

// moduleRoot returns this module's directory and its commit.
func moduleRoot(t testing.TB) (root, revision string) {
	t.Helper()
	r, err := moduleOnce()
	if err != nil {
		t.Fatalf("baseimagetest: %v", err)
	}
	return r[0], r[1]
}

func randomHex(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("baseimagetest: %v", err)
	}
	return hex.EncodeToString(b[:])
}
