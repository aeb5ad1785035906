package lifecycle_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
	"github.com/entrypoint/entrypoint/tasks/lifecycle"
)

func ExampleRun_testSanity() {
	t := tasks.Task{Name: "test_sanity", Source: "procfile", Dir: "/srv/api", Argv: []string{"./sanity.sh", "--quick"}}
	s := lifecycle.Service{Env: map[string]string{"ENTRYPOINT_SANITY_URL": "http://api.internal:8080/v1"}}
	err := lifecycle.Run(context.Background(), t, s, lifecycle.Options{Stdout: os.Stdout, DryRun: true})
	fmt.Println("err:", err)
	// Output:
	// # poll http://api.internal:8080/v1/health until it answers (deadline 1m0s)
	// export ENTRYPOINT_SANITY_URL=http://api.internal:8080/v1 SANITY_URL=http://api.internal:8080/v1
	// cd /srv/api && ./sanity.sh --quick
	// err: <nil>
}

// sanityTask is a declared test_sanity that prints the URL it is given.
var sanityTask = tasks.Task{Name: "test_sanity", Source: "procfile", Dir: os.TempDir(), Argv: []string{"sh", "-c", `echo "testing $SANITY_URL"; exit "${STATUS:-0}"`}}

// runSanity runs test_sanity with env; the declared command runs as a
// plain process (no front end) and prints to stdout.
func runSanity(ctx context.Context, env map[string]string) (stdout string, err error) {
	var out bytes.Buffer
	env["PATH"] = os.Getenv("PATH")
	err = lifecycle.Run(ctx, sanityTask, lifecycle.Service{Env: env}, lifecycle.Options{Stdout: &out})
	return out.String(), err
}

// healthyAfter serves /health, unhealthy for the first n requests.
func healthyAfter(t *testing.T, n int32) (*httptest.Server, *atomic.Int32) {
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && polls.Add(1) <= n {
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &polls
}

func TestSanityRunsTheTestsOnceHealthy(t *testing.T) {
	t.Parallel()
	srv, polls := healthyAfter(t, 2)
	for _, tc := range []struct {
		status string
		code   int
	}{{"0", 0}, {"4", 4}} {
		polls.Store(0)
		out, err := runSanity(context.Background(), map[string]string{"ENTRYPOINT_SANITY_URL": srv.URL, "STATUS": tc.status})
		assert.Equal(t, tc.code, exitcode.Of(err), "%v", err)
		assert.Equal(t, "testing "+srv.URL+"\n", out)
		assert.EqualValues(t, 3, polls.Load())
	}
}

func TestSanityShowsNoPassword(t *testing.T) {
	t.Parallel()
	srv, _ := healthyAfter(t, 1)
	url := strings.Replace(srv.URL, "http://", "http://ops:s3cret@", 1)
	var stdout, stderr, logs bytes.Buffer
	o := lifecycle.Options{Stdout: &stdout, Stderr: &stderr, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	env := map[string]string{"ENTRYPOINT_SANITY_URL": url, "PATH": os.Getenv("PATH")}
	require.NoError(t, lifecycle.Run(context.Background(), sanityTask, lifecycle.Service{Env: env}, o))
	assert.Equal(t, "testing "+url+"\n", stdout.String(), "the tests get the URL as it is")
	redacted := strings.Replace(url, "s3cret", "xxxxx", 1)
	assert.Contains(t, stderr.String(), "+ export ENTRYPOINT_SANITY_URL="+redacted+" SANITY_URL="+redacted+"\n")
	assert.Contains(t, logs.String(), `"target":"`+redacted+`/health"`)
	assert.NotContains(t, stderr.String()+logs.String(), "s3cret")
}

func TestSanityUnhealthyNeverRunsTheTests(t *testing.T) {
	t.Parallel()
	srv, _ := healthyAfter(t, 1<<30)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	for _, tc := range []struct {
		name string
		env  map[string]string
		code int
		msg  string
	}{
		{"503", map[string]string{"ENTRYPOINT_SANITY_URL": srv.URL, "ENTRYPOINT_SANITY_TIMEOUT": "500ms"}, exitcode.Unavailable,
			"the deployed service is not healthy within 500ms (%d attempts): " + srv.URL + "/health: status 503 Service Unavailable: check the deployment, or raise ENTRYPOINT_SANITY_TIMEOUT"},
		{"refused", map[string]string{"ENTRYPOINT_SANITY_URL": dead, "ENTRYPOINT_SANITY_TIMEOUT": "300ms"}, exitcode.Unavailable,
			"the deployed service is not healthy within 300ms (%d attempts): " + dead + "/health: dial tcp " + dead[7:] + ": connect: connection refused: check the deployment, or raise ENTRYPOINT_SANITY_TIMEOUT"},
		{"https", map[string]string{"ENTRYPOINT_SANITY_URL": "https://api.example.com"}, exitcode.Config,
			`ENTRYPOINT_SANITY_URL, ENTRYPOINT_SANITY_HEALTH: bad health target "https://api.example.com/health": https is not supported (no TLS in the PID-1 binary): probe http on the loopback, or tcp://host:443`},
		{"bad deadline", map[string]string{"ENTRYPOINT_SANITY_URL": srv.URL, "ENTRYPOINT_SANITY_TIMEOUT": "-1s"}, exitcode.Config,
			`ENTRYPOINT_SANITY_TIMEOUT="-1s" is no duration: set it to one such as 90s or 5m`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := runSanity(context.Background(), tc.env)
			require.Error(t, err)
			assert.Equal(t, tc.code, exitcode.Of(err))
			var attempts int
			_, scanErr := fmt.Sscanf(err.Error(), tc.msg, &attempts)
			if tc.code == exitcode.Unavailable {
				require.NoError(t, scanErr, "%v", err)
				assert.Greater(t, attempts, 1)
				assert.Equal(t, fmt.Sprintf(tc.msg, attempts), err.Error())
			} else {
				assert.Equal(t, tc.msg, err.Error())
			}
			assert.Empty(t, out, "the tests never ran")
		})
	}
}

func TestSanityHealthTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, health, want string }{
		{"http://api:8080", "", "http://api:8080/health"},
		{"http://api:8080/v1/", "ready", "http://api:8080/v1/ready"},
		{"http://api:8080/v1", "/status/live", "http://api:8080/v1/status/live"},
		{"https://api.example.com", "tcp://api.example.com:443", "tcp://api.example.com:443"},
		{"https://api.example.com", "http://10.0.0.7:9000/health", "http://10.0.0.7:9000/health"},
	} {
		var out bytes.Buffer
		env := map[string]string{"ENTRYPOINT_SANITY_URL": tc.url, "ENTRYPOINT_SANITY_HEALTH": tc.health}
		err := lifecycle.Run(context.Background(), sanityTask, lifecycle.Service{Env: env}, lifecycle.Options{Stdout: &out, DryRun: true})
		require.NoError(t, err)
		assert.Contains(t, out.String(), "# poll "+tc.want+" until it answers (deadline 1m0s)\n")
	}
}

func TestSanityInterrupted(t *testing.T) {
	t.Parallel()
	t.Run("while it polls", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel() // the signal comes while the service is still starting
			http.Error(w, "starting", http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		out, err := runSanity(ctx, map[string]string{"ENTRYPOINT_SANITY_URL": srv.URL})
		assert.Equal(t, 130, exitcode.Of(err), "%v", err)
		assert.Empty(t, out, "the tests never ran")
	})
	t.Run("while the tests run", func(t *testing.T) {
		srv, _ := healthyAfter(t, 0)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		o := lifecycle.Options{RunTask: func(context.Context, tasks.Task) int {
			cancel() // the front end forwards the signal: the tests die of it
			return 143
		}}
		err := lifecycle.Run(ctx, sanityTask, lifecycle.Service{Env: map[string]string{"ENTRYPOINT_SANITY_URL": srv.URL}}, o)
		assert.Equal(t, 130, exitcode.Of(err), "%v", err)
		assert.Equal(t, "interrupted (context canceled)", err.Error())
	})
}
