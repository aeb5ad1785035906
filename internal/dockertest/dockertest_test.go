package dockertest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
	"github.com/entrypoint/entrypoint/internal/needs"
)

func busyboxImage(t *testing.T) *dockertest.Image {
	t.Helper()
	needs.Docker(t)
	busybox := dockertest.Static(t, needs.Command(t, "busybox"))
	return dockertest.Build(t, dockertest.Context{
		Dockerfile: "FROM scratch\nCOPY bin/ /bin/\nENTRYPOINT [\"/bin/sh\", \"-c\"]\n",
		Files:      map[string]string{"bin/busybox": busybox},
		Links:      map[string]string{"bin/sh": "busybox", "bin/sleep": "busybox"},
	})
}

func TestBuildRunAndStop(t *testing.T) {
	img := busyboxImage(t)
	require.True(t, strings.HasPrefix(img.Ref, "dockertest/testbuildrunandstop:"), img.Ref)

	r := img.Run(t, []string{"--network", "none"}, "echo out; echo err >&2; exit 9")
	require.Equal(t, dockertest.Result{Args: r.Args, Stdout: "out\n", Stderr: "err\n", Code: 9}, r)

	c := img.Start(t, []string{"--network", "none"}, "trap 'echo bye; exit 4' TERM; echo ready; sleep 1000 & wait")
	c.WaitLog(t, "ready", time.Minute)
	c.Stop(t, 30*time.Second)
	require.Equal(t, 4, c.Wait(t))
	require.Equal(t, 4, c.ExitCode(t))
	require.Contains(t, c.Logs(t), "bye")
}
