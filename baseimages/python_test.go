package baseimages_test

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/baseimagetest"
	"github.com/entrypoint/entrypoint/internal/dockertest"
)

// service writes files (name: content) to a temporary directory and
// returns the build context of a one-line Dockerfile FROM the Python base
// over them.
func service(t *testing.T, b *baseimagetest.Bases, files map[string]string) dockertest.Context {
	t.Helper()
	dir := t.TempDir()
	c := dockertest.Context{Dockerfile: "FROM " + b.Python + "\n", Files: map[string]string{}}
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
		c.Files[name] = path
	}
	return c
}

// testPythonDependencies: the ONBUILD dependency step of the Python base,
// with no network.
func testPythonDependencies(t *testing.T, b *baseimagetest.Bases) {
	t.Run("nothing declared", func(t *testing.T) {
		t.Parallel()
		img, r := dockertest.Engine{}.TryBuild(t, service(t, b, map[string]string{"app.py": "print('hi')\n"}))
		require.NotNil(t, img, "%v", r)
		assert.Contains(t, r.Stdout+r.Stderr, "install-deps: no requirements.txt and no [project] dependencies in pyproject.toml: nothing to install")
	})
	t.Run("not installed, no index", func(t *testing.T) {
		t.Parallel()
		img, r := dockertest.Engine{}.TryBuild(t, service(t, b, map[string]string{"requirements.txt": "surely-not-installed-here==1.0\n"}))
		require.Nil(t, img, "the build fails: %v", r)
		assert.Contains(t, r.Stdout+r.Stderr, "install-deps: cannot reach the package index at https://pypi.org/simple: vendor wheels into ./wheels, or set PIP_INDEX_URL")
	})
	t.Run("vendored wheel, pyproject.toml", func(t *testing.T) {
		t.Parallel()
		c := service(t, b, map[string]string{
			"pyproject.toml": "[project]\nname = \"user\"\nversion = \"0\"\ndependencies = [\"hello-vendored==1.0\"]\n",
		})
		c.Files["wheels/hello_vendored-1.0-py3-none-any.whl"] = wheel(t, "hello_vendored", "1.0", "WORD = 'vendored'\n")
		img, r := dockertest.Engine{}.TryBuild(t, c)
		require.NotNil(t, img, "%v", r)
		r = img.Run(t, offline, "--", "python3", "-c", "import hello_vendored as h; print(h.WORD, h.__file__.startswith('/usr/'))")
		require.Equal(t, 0, r.Code, "%v", r)
		assert.True(t, hasLine(r.Stdout, "vendored True"), "installed in the system's site-packages: %v", r)
	})
	t.Run("the dependency layer is reused", func(t *testing.T) {
		t.Parallel()
		reqs := "flask>=2.2\n"
		v1 := dockertest.Build(t, service(t, b, map[string]string{"requirements.txt": reqs, "app.py": "v = 1\n"}))
		v2 := dockertest.Build(t, service(t, b, map[string]string{"requirements.txt": reqs, "app.py": "v = 2\n"}))
		l1, l2 := layers(t, v1.Ref), layers(t, v2.Ref)
		require.Len(t, l2, len(l1))
		n := len(l1)
		assert.Equal(t, l1[:n-1], l2[:n-1], "the same base, dependency files and installed dependencies")
		assert.NotEqual(t, l1[n-1], l2[n-1], "a new layer for the new code")
	})
}

// layers are the image's layer digests, bottom first.
func layers(t *testing.T, ref string) []string {
	t.Helper()
	var l []string
	require.NoError(t, json.Unmarshal([]byte(dockertest.Engine{}.Output(t, "image", "inspect", "--format", "{{json .RootFS.Layers}}", ref)), &l))
	return l
}

// wheel writes a pure-Python wheel of one module, name.py holding code,
// and returns its path.
func wheel(t *testing.T, name, version, code string) string {
	t.Helper()
	info := name + "-" + version + ".dist-info/"
	files := [][2]string{
		{name + ".py", code},
		{info + "METADATA", fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", strings.ReplaceAll(name, "_", "-"), version)},
		{info + "WHEEL", "Wheel-Version: 1.0\nGenerator: entrypoint-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var record strings.Builder
	for _, f := range files {
		sum := sha256.Sum256([]byte(f[1]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f[0], base64.RawURLEncoding.EncodeToString(sum[:]), len(f[1]))
	}
	record.WriteString(info + "RECORD,,\n")
	files = append(files, [2]string{info + "RECORD", record.String()})

	path := filepath.Join(t.TempDir(), name+"-"+version+"-py3-none-any.whl")
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, file := range files {
		w, err := zw.Create(file[0])
		require.NoError(t, err)
		_, err = w.Write([]byte(file[1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return path
}

// testMultiStageTemplate: the template beside the ONBUILD Dockerfile
// builds the Python example into an image that behaves like the ONBUILD
// one.
func testMultiStageTemplate(t *testing.T, b *baseimagetest.Bases) {
	ref := "entrypoint-test/helloworld-python-multistage:" + b.Tag
	e := dockertest.Engine{}
	ctx, cancel := context.WithTimeout(t.Context(), dockertest.CommandTimeout)
	defer cancel()
	build := e.Command(ctx, "build", "--network", "none", "--tag", ref,
		"--file", filepath.Join(b.Root, "baseimages", "python", "Dockerfile.multistage"),
		"--build-arg", "BASE="+baseimagetest.PythonRoot.Ref(), "--build-arg", "ENTRYPOINT_IMAGE="+b.Entrypoint,
		"--build-arg", "SERVICE_NAME=helloworld-python", "--build-arg", "GIT_COMMIT="+b.Revision, "--build-arg", "VERSION="+b.Tag,
		filepath.Join(b.Root, "examples", "helloworld-python"))
	done := dockertest.Building(t)
	out, err := build.CombinedOutput()
	done()
	require.NoError(t, err, "%s", out)
	img := e.Adopt(t, ref)
	checkLabels(t, b, img, "helloworld-python")
	r := runTask(t, img, offline, 0, "test_unit")
	assert.Contains(t, r.Stdout, "4 passed")
	r = runTask(t, img, offline, 0, "--", "id", "-u")
	assert.True(t, hasLine(r.Stdout, "65532"), "%v", r)
	serveAndStop(t, img, func(*dockertest.Container) {})
}
