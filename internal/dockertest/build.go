package dockertest

import (
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Context is a build context: the Dockerfile's text and the files it
// copies in.
type Context struct {
	Dockerfile string
	// Files maps a path in the context to a file on this machine,
	// copied with its mode.
	Files map[string]string
	// Links maps a path in the context to a symlink target (COPY keeps
	// links, e.g. busybox applets: "bin/sh": "busybox").
	Links map[string]string
}

// Image is an image built or loaded for one test.
type Image struct {
	Ref    string
	Engine Engine
}

// Build builds c on the default engine; see Engine.Build.
func Build(t testing.TB, c Context) *Image {
	t.Helper()
	return Engine{}.Build(t, c)
}

// Build builds c into an image with a tag and a label of its own, and
// removes the image and every container created from it when the test
// ends.
func (e Engine) Build(t testing.TB, c Context) *Image {
	t.Helper()
	img, r := e.TryBuild(t, c)
	if img == nil {
		t.Fatalf("dockertest: %v", r)
	}
	return img
}

// TryBuild is Build for a build that may fail: it returns the image (nil
// when the build failed) and what docker build printed.
func (e Engine) TryBuild(t testing.TB, c Context) (*Image, Result) {
	t.Helper()
	dir := t.TempDir()
	if err := writeContext(dir, c); err != nil {
		t.Fatalf("dockertest: build context: %v", err)
	}
	ref := uniqueRef(t)
	done := Building(t)
	r := e.Docker(t, "build", "--network", "none", "--label", "dockertest.ref="+ref, "--tag", ref, dir)
	done()
	if r.Code != 0 {
		return nil, r
	}
	return e.Adopt(t, ref), r
}

// Adopt returns the image ref, built by other means, and removes it and
// every container created from it when the test ends.
func (e Engine) Adopt(t testing.TB, ref string) *Image {
	img := &Image{Ref: ref, Engine: e}
	img.removeAtCleanup(t)
	return img
}

func writeContext(dir string, c Context) error {
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(c.Dockerfile), 0o644); err != nil {
		return err
	}
	for dst, src := range c.Files {
		if err := copyFile(filepath.Join(dir, dst), src); err != nil {
			return err
		}
	}
	for dst, target := range c.Links {
		path := filepath.Join(dir, dst)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(target, path); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// uniqueRef is a tag naming the test, made unique with random bytes.
func uniqueRef(t testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(t.Name()))
	name = strings.Trim(name, "-")
	for strings.Contains(name, "--") {
		name = strings.ReplaceAll(name, "--", "-")
	}
	if len(name) > 60 {
		name = strings.Trim(name[:60], "-")
	}
	return "dockertest/" + name + ":" + hex.EncodeToString(b[:])
}

// removeAtCleanup removes, when the test ends, every container created
// from the image (on its engine) and then the image.
func (img *Image) removeAtCleanup(t testing.TB) {
	t.Cleanup(func() {
		ids := strings.Fields(img.Engine.Output(t, "ps", "--all", "--quiet", "--no-trunc", "--filter", "ancestor="+img.Ref))
		if len(ids) > 0 {
			img.Engine.Output(t, append([]string{"rm", "--force", "--volumes"}, ids...)...)
		}
		defer Removing(t)()
		img.Engine.Output(t, "rmi", "--force", img.Ref)
	})
}

// CopyTo copies the image to another engine (docker save | docker load)
// and removes the copy and its containers there when the test ends.
func (img *Image) CopyTo(t testing.TB, to Engine) *Image {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	save := img.Engine.Command(ctx, "save", img.Ref)
	load := to.Command(ctx, "load", "--quiet")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("dockertest: %v", err)
	}
	save.Stdout, load.Stdin = w, r
	var saveErr, loadOut strings.Builder
	save.Stderr, load.Stdout, load.Stderr = &saveErr, &loadOut, &loadOut
	if err := save.Start(); err != nil {
		t.Fatalf("dockertest: docker save: %v", err)
	}
	w.Close()
	loadErr := load.Run()
	r.Close()
	if err := save.Wait(); err != nil || loadErr != nil {
		t.Fatalf("dockertest: docker save %s | docker -H %s load: save: %v %s; load: %v %s",
			img.Ref, to.Host, err, saveErr.String(), loadErr, loadOut.String())
	}
	copied := &Image{Ref: img.Ref, Engine: to}
	copied.removeAtCleanup(t)
	return copied
}

// Static fails the test unless path is an executable that needs no
// dynamic loader, so that it runs in a FROM scratch image.
func Static(t testing.TB, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("dockertest: %s: %v", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("dockertest: %s is dynamically linked: it cannot run FROM scratch (install a static build, e.g. busybox-static)", path)
		}
	}
	return path
}
