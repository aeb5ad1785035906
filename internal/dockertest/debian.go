package dockertest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/entrypoint/entrypoint/internal/needs"
)

// DebianRoot is a Debian root filesystem made with debootstrap
// (--variant=minbase) and imported with docker import: the base of the
// test images that need a distribution, since no registry is reachable.
type DebianRoot struct {
	Name     string   // the image's repository under entrypoint-e2e/
	Suite    string   // e.g. bookworm
	Packages []string // installed with --include
	Mirror   string   // "" is http://deb.debian.org/debian
}

// Ref is the image's reference, entrypoint-e2e/NAME:HASH, HASH naming the
// suite and the package list: a new list is a new image, an old one is
// reused.
func (d DebianRoot) Ref() string {
	sum := sha256.Sum256([]byte(d.Suite + "\n" + strings.Join(d.Packages, ",")))
	return "entrypoint-e2e/" + d.Name + ":" + d.Suite + "-" + hex.EncodeToString(sum[:6])
}

// debootstrapTimeout bounds the making of a root: about a minute on a
// 2-core machine with a nearby mirror.
const debootstrapTimeout = 10 * time.Minute

var debianOnce sync.Map // ref → *sync.Once

// Debootstrap returns d.Ref() on the default engine, making the image when
// it is missing. The image is kept across test runs (it is not removed at
// cleanup); test processes that need it at once take turns (Lock), so it
// is made once. Making it needs root, debootstrap (needs.Root and
// needs.Command skip or fail the test without them) and the mirror.
func Debootstrap(t testing.TB, d DebianRoot) string {
	t.Helper()
	ref := d.Ref()
	if (Engine{}).Docker(t, "image", "inspect", "--format", "{{.Id}}", ref).Code != 0 {
		needs.Root(t)
		needs.Command(t, "debootstrap")
	}
	once, _ := debianOnce.LoadOrStore(ref, new(sync.Once))
	once.(*sync.Once).Do(func() {
		defer Lock(t, ref)()
		if (Engine{}).Docker(t, "image", "inspect", "--format", "{{.Id}}", ref).Code == 0 {
			return
		}
		if err := d.make(t); err != nil {
			t.Fatalf("dockertest: make %s: %v", ref, err)
		}
	})
	if (Engine{}).Docker(t, "image", "inspect", "--format", "{{.Id}}", ref).Code != 0 {
		t.Fatalf("dockertest: %s was not made (see the first test that needed it)", ref)
	}
	return ref
}

// make runs debootstrap into a temporary directory and imports it.
func (d DebianRoot) make(t testing.TB) error {
	debootstrap, err := exec.LookPath("debootstrap")
	if err != nil {
		return err
	}
	mirror := d.Mirror
	if mirror == "" {
		mirror = "http://deb.debian.org/debian"
	}
	root := filepath.Join(t.TempDir(), "root")
	ctx, cancel := context.WithTimeout(context.Background(), debootstrapTimeout)
	defer cancel()
	t.Logf("making %s with debootstrap (once per package list; about a minute)", d.Ref())
	args := []string{"--variant=minbase", "--include=" + strings.Join(d.Packages, ","), d.Suite, root, mirror}
	if out, err := exec.CommandContext(ctx, debootstrap, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("debootstrap %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	imp := exec.CommandContext(ctx, "sh", "-c", `tar -C "$1" -c . | docker import - "$2"`, "sh", root, d.Ref())
	if out, err := imp.CombinedOutput(); err != nil {
		return fmt.Errorf("docker import: %w\n%s", err, out)
	}
	return nil
}

// Lock takes an exclusive lock named name, shared by every process on this
// machine (a flock on a file in the temporary directory), and returns its
// release. Tests of different packages run in parallel processes; Lock
// makes them take turns on what they share: an image being made, a
// directory being written.
func Lock(t testing.TB, name string) (unlock func()) {
	t.Helper()
	return lock(t, name, syscall.LOCK_EX)
}

// imageStore names the lock between building images and removing them.
const imageStore = "docker image store"

// Building holds the image store for a build until its release: builds
// run side by side, but no test image is removed meanwhile. Removing an
// image removes its untagged parents too, and a build of the same steps
// may be using one of them as its cache ("failed to get digest").
// Build and TryBuild take it themselves; take it around a build run by
// other means.
func Building(t testing.TB) (done func()) {
	t.Helper()
	return lock(t, imageStore, syscall.LOCK_SH)
}

// Removing holds the image store while test images are removed (no
// build runs meanwhile). The cleanup of Build, TryBuild and Adopt takes
// it; take it around a removal run by other means.
func Removing(t testing.TB) (done func()) {
	t.Helper()
	return lock(t, imageStore, syscall.LOCK_EX)
}

func lock(t testing.TB, name string, how int) (unlock func()) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	path := filepath.Join(os.TempDir(), "entrypoint-lock-"+hex.EncodeToString(sum[:8]))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("dockertest: lock %s: %v", name, err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		t.Fatalf("dockertest: lock %s: %v", name, err)
	}
	return func() { f.Close() }
}
