// Package baseimages_test builds the base images of this directory
// (build.sh) and the examples on them on a real Docker engine, and checks
// what their users meet: the images' configuration and contents, every
// task of an example run from one image, a healthy service, a graceful
// docker stop, a non-root user, the OCI labels, the dependency step of the
// Python image offline and from vendored wheels, the multi-stage template,
// and the entrypoint image copied into another.
//
// The directory holds no Go package: the images are data, these tests are
// their proof. Nothing is pulled: the Python base is built on a Debian
// root made with debootstrap (internal/baseimagetest).
package baseimages_test

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/baseimagetest"
	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

// TestBaseImages builds the base images once and runs every check on them
// in parallel.
func TestBaseImages(t *testing.T) {
	b := baseimagetest.Build(t)
	for _, tc := range []struct {
		name string
		test func(*testing.T, *baseimagetest.Bases)
	}{
		{"configuration", testConfiguration},
		{"static contents", testStaticContents},
		{"entrypoint image copied into another", testCopyFromEntrypointImage},
		{"adopted by an image that used tini and gosu", testAdoptInPlaceOfTiniAndGosu},
		{"python example", testPythonExample},
		{"python example under compose", testPythonExampleUnderCompose},
		{"go example", testGoExample},
		{"python dependencies", testPythonDependencies},
		{"python multi-stage template", testMultiStageTemplate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, b)
		})
	}
}

// imageConfig is the part of docker inspect's .Config the tests read.
type imageConfig struct {
	User        string
	Env         []string
	Entrypoint  []string
	Cmd         []string
	WorkingDir  string
	Labels      map[string]string
	Healthcheck struct{ Test []string }
	OnBuild     []string
}

func inspectConfig(t *testing.T, ref string) imageConfig {
	t.Helper()
	var c imageConfig
	require.NoError(t, json.Unmarshal([]byte(dockertest.Engine{}.Output(t, "image", "inspect", "--format", "{{json .Config}}", ref)), &c))
	return c
}

// testConfiguration: both bases run as the non-root user, start the
// entrypoint with run, check health without curl, and carry the commit
// they were built from.
func testConfiguration(t *testing.T, b *baseimagetest.Bases) {
	for _, ref := range []string{b.Static, b.Python} {
		c := inspectConfig(t, ref)
		assert.Equal(t, "65532:65532", c.User, ref)
		assert.Equal(t, []string{"/usr/local/bin/entrypoint"}, c.Entrypoint, ref)
		assert.Equal(t, []string{"run"}, c.Cmd, ref)
		assert.Equal(t, "/app", c.WorkingDir, ref)
		assert.Equal(t, []string{"CMD", "/usr/local/bin/entrypoint", "healthcheck"}, c.Healthcheck.Test, ref)
		assert.Equal(t, b.Revision, c.Labels["org.opencontainers.image.revision"], ref)
		assert.Equal(t, b.Tag, c.Labels["org.opencontainers.image.version"], ref)
		assert.Contains(t, c.Env, "PORT=8080", ref)
		assert.Contains(t, c.OnBuild, "ARG SERVICE_NAME GIT_COMMIT VERSION", ref)
	}
	c := inspectConfig(t, b.Entrypoint)
	assert.Equal(t, []string{"/entrypoint"}, c.Entrypoint)
	r := dockertest.Engine{}.Docker(t, "run", "--rm", "--network", "none", b.Entrypoint, "--version")
	require.Equal(t, 0, r.Code, "%v", r)
	assert.True(t, strings.HasPrefix(r.Stdout, "entrypoint "), "%v", r)
}

// testStaticContents: the static base holds what its Dockerfile says and
// nothing else.
func testStaticContents(t *testing.T, b *baseimagetest.Bases) {
	e := dockertest.Engine{}
	id := e.Output(t, "create", b.Static)
	t.Cleanup(func() { e.Output(t, "rm", id) })
	export := e.Command(t.Context(), "export", id)
	out, err := export.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, export.Start())
	files := map[string]tar.Header{}
	tr := tar.NewReader(out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if h.Typeflag == tar.TypeReg {
			files[h.Name] = *h
		}
		if h.Name == "tmp/" {
			assert.EqualValues(t, 0o1777, h.Mode&0o7777, "/tmp is sticky and writable by all")
		}
	}
	require.NoError(t, export.Wait())
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	// .dockerenv, dev/console and etc/{hostname,hosts,resolv.conf} are the engine's.
	assert.Equal(t, []string{".dockerenv", "dev/console", "etc/group", "etc/hostname", "etc/hosts", "etc/passwd", "etc/resolv.conf",
		"etc/ssl/certs/ca-certificates.crt", "usr/local/bin/entrypoint"}, names)
	assert.Positive(t, files["etc/ssl/certs/ca-certificates.crt"].Size)
	assert.EqualValues(t, 0o755, files["usr/local/bin/entrypoint"].Mode&0o777)
}

// testCopyFromEntrypointImage: any Dockerfile gets the init the way it
// gets tini, with one COPY --from.
func testCopyFromEntrypointImage(t *testing.T, b *baseimagetest.Bases) {
	busybox := dockertest.Static(t, needs.Command(t, "busybox"))
	img := dockertest.Build(t, dockertest.Context{
		Dockerfile: "FROM scratch\n" +
			"COPY busybox /bin/busybox\n" +
			"COPY --from=" + b.Entrypoint + " /entrypoint /usr/local/bin/entrypoint\n" +
			`ENTRYPOINT ["/usr/local/bin/entrypoint", "--"]` + "\n" +
			`CMD ["/bin/busybox", "cat", "/proc/1/comm"]` + "\n",
		Files: map[string]string{"busybox": busybox},
	})
	r := img.Run(t, []string{"--network", "none"})
	require.Equal(t, 0, r.Code, "%v", r)
	assert.True(t, hasLine(r.Stdout, "entrypoint"), "the init is pid 1: %v", r)
}

// testAdoptInPlaceOfTiniAndGosu: an image that ran
// `tini -- gosu app CMD` runs `entrypoint -- CMD` with ENTRYPOINT_USER=app.
func testAdoptInPlaceOfTiniAndGosu(t *testing.T, b *baseimagetest.Bases) {
	img := dockertest.Build(t, dockertest.Context{
		Dockerfile: "FROM " + baseimagetest.PythonRoot.Ref() + "\n" +
			"RUN useradd --uid 1000 app\n" +
			"COPY --from=" + b.Entrypoint + " /entrypoint /usr/local/bin/entrypoint\n" +
			"ENV ENTRYPOINT_USER=app\n" +
			`ENTRYPOINT ["/usr/local/bin/entrypoint", "--"]` + "\n" +
			`CMD ["id"]` + "\n",
	})
	r := img.Run(t, []string{"--network", "none"})
	require.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "uid=1000(app) gid=1000(app) groups=1000(app)\n")
}
