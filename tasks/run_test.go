package tasks

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEnvironReplacesEveryEntryOfAName(t *testing.T) {
	task := Task{Env: map[string]string{"B": "new", "A": "1"}}
	got := task.Environ([]string{"PATH=/bin", "B=old", "X=y", "B=older"})
	require.Equal(t, []string{"PATH=/bin", "X=y", "A=1", "B=new"}, got)
	require.Equal(t, []string{"PATH=/bin"}, Task{}.Environ([]string{"PATH=/bin"}))
}

func TestImageRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  ImageRun
		want string
	}{
		{"plain", ImageRun{Image: "api:1"}, "docker run --rm -i api:1 testUnit -run 'Test X'"},
		{"terminal", ImageRun{Image: "api:1", TTY: true}, "docker run --rm -i -t api:1 testUnit -run 'Test X'"},
		{"docker options", ImageRun{Image: "api:1", Args: []string{"--network", "none"}}, "docker run --rm -i --network none api:1 testUnit -run 'Test X'"},
		{"env by name, host-only settings and unset names left out", ImageRun{
			Image: "api:1",
			Env: map[string]string{
				"ENTRYPOINT_STOP_TIMEOUT": "3s", "ENTRYPOINT_IN_IMAGE": "api:1", "ENTRYPOINT_DIR": "/src",
				"ENTRYPOINT_DRY_RUN": "1", "ENTRYPOINT_PASS_ENV": "HELLO_FAIL", "ENTRYPOINT_DOCKER_ARGS": "-v x:y", "CI": "true", "HELLO_FAIL": "1", "SECRET": "s3cret", "HOME": "/root",
			},
			Pass: []string{"HELLO_FAIL", "UNSET"},
		}, "docker run --rm -i -e CI -e ENTRYPOINT_STOP_TIMEOUT -e HELLO_FAIL api:1 testUnit -run 'Test X'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run.Dir = "/srv/api"
			task := tc.run.Task("testUnit", []string{"-run", "Test X"})
			require.Equal(t, tc.want, Quote(task.Argv...))
			require.Equal(t, "test_unit", task.Name)
			require.Equal(t, Source("image:api:1"), task.Source)
			require.Equal(t, "/srv/api", task.Dir)
			require.NotContains(t, strings.Join(task.Argv, " "), "s3cret")
		})
	}
}

func TestLogStartAndEnd(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	task := Task{Name: "test_unit", Source: "preset:go", Argv: []string{"go", "test", "./..."}, Dir: "/srv"}
	LogStart(log, task, nil)
	LogEnd(log, task, 1500*time.Millisecond, 1)
	require.Equal(t, `level=INFO msg="task started" task=test_unit source=preset:go argv="[go test ./...]" dir=/srv
level=ERROR msg="task ended" task=test_unit source=preset:go duration=1.5s code=1
`, b.String())
}

func TestLogStartRedactsSecrets(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&b, nil))
	task := Task{Name: "run", Argv: []string{"./api", "--db", "postgres://app:hunter22@db/app", "--token=tok-abc", "--user", "app"}}
	LogStart(log, task, map[string]string{"DB_PASSWORD": "hunter22", "API_TOKEN": "tok-abc", "DB_USER": "app", "EMPTY_SECRET": ""})
	require.Contains(t, b.String(), `"argv":["./api","--db","postgres://app:<redacted>@db/app","--token=<redacted>","--user","app"]`)
	require.NotContains(t, b.String(), "hunter22")
	require.Equal(t, "postgres://app:hunter22@db/app", task.Argv[2], "the task itself is unchanged")
}
