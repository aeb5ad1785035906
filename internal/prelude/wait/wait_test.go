package wait_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/health"
	"github.com/entrypoint/entrypoint/internal/prelude/wait"
	"github.com/entrypoint/entrypoint/internal/retry"
)

var fast = retry.Policy{Initial: 2 * time.Millisecond, Max: 10 * time.Millisecond}

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "wait")
	defer os.RemoveAll(dir)

	targets, err := wait.Parse(srv.URL + "/health, file://" + dir)
	fmt.Println(len(targets), err)
	err = wait.For(context.Background(), targets, wait.Options{Timeout: 10 * time.Second})
	fmt.Println(err)

	targets, _ = wait.Parse("file://" + dir + "/never")
	err = wait.For(context.Background(), targets, wait.Options{
		Timeout: 100 * time.Millisecond,
		Retry:   retry.Policy{Initial: time.Hour, Max: time.Hour}, // a single attempt
	})
	fmt.Println(exitcode.Of(err), strings.ReplaceAll(err.Error(), dir, "DIR"))
	// Output:
	// 2 <nil>
	// <nil>
	// 69 1 of 1 dependencies not ready within 100ms:
	// file://DIR/never: 1 attempt, last error: stat DIR/never: no such file or directory
}

// logLines is a logger whose lines, debug level up, arrive on a channel.
type logLines chan string

func (l logLines) Write(p []byte) (int, error) {
	select {
	case l <- string(p):
	default: // a test that stopped reading must not block the logger
	}
	return len(p), nil
}

func newLog() (*slog.Logger, logLines) {
	l := make(logLines, 10000)
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})), l
}

// await reads lines until one holds every part, failing t after 10s.
func (l logLines) await(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case line := <-l:
			if containsAll(line, parts) {
				return line
			}
		case <-deadline:
			t.Fatalf("no log line with %q within 10s", parts)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func listen(t *testing.T, network, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

func parse(t *testing.T, targets ...string) []health.Target {
	t.Helper()
	ts, err := wait.Parse(strings.Join(targets, ","))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// start runs wait.For in the background; the channel yields its error.
func start(ctx context.Context, targets []health.Target, o wait.Options) <-chan error {
	done := make(chan error, 1)
	go func() { done <- wait.For(ctx, targets, o) }()
	return done
}

func result(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		noWaiterLeft(t)
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("wait.For did not return within 20s")
		return nil
	}
}

// noWaiterLeft fails t if a goroutine of package wait is still running.
func noWaiterLeft(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "prelude/wait.For.func") || strings.Contains(g, "prelude/wait.waitOne") {
			t.Errorf("a waiter goroutine outlived wait.For:\n%s", g)
		}
	}
}

func TestForTargetsComingUpLate(t *testing.T) {
	log, lines := newLog()
	tcpAddr, httpAddr := freeAddr(t), freeAddr(t)
	dir := t.TempDir()
	sock, ready := filepath.Join(dir, "app.sock"), filepath.Join(dir, "ready")
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer flaky.Close()
	targets := parse(t, "tcp://"+tcpAddr, "http://"+httpAddr+"/health", "unix://"+sock,
		"file://"+ready, flaky.URL+"/ready")

	done := start(context.Background(), targets, wait.Options{Timeout: 20 * time.Second, Retry: fast, Logger: log})

	// Each dependency comes up only once the waiter has seen it down.
	lines.await(t, "dependency not ready", "tcp://"+tcpAddr, "connection refused")
	listen(t, "tcp", tcpAddr)
	lines.await(t, "dependency not ready", "http://"+httpAddr, "connection refused")
	api := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusFound) // 3xx is ready
	})}
	go api.Serve(listen(t, "tcp", httpAddr))
	defer api.Close()
	lines.await(t, "dependency not ready", "unix://"+sock, "no such file")
	listen(t, "unix", sock)
	lines.await(t, "dependency not ready", "file://"+ready, "no such file")
	if err := os.WriteFile(ready, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	lines.await(t, "dependency not ready", flaky.URL, "status 503 Service Unavailable")
	status.Store(http.StatusOK)

	if err := result(t, done); err != nil {
		t.Fatalf("wait.For: %v", err)
	}
}

func TestForNeverUp(t *testing.T) {
	log, lines := newLog()
	addr := freeAddr(t)
	missing := filepath.Join(t.TempDir(), "never")
	up := listen(t, "tcp", "127.0.0.1:0").Addr().String()
	targets := parse(t, "tcp://"+addr, "tcp://"+up, "file://"+missing)

	began := time.Now()
	done := start(context.Background(), targets, wait.Options{
		Timeout: 300 * time.Millisecond, Progress: 50 * time.Millisecond, Retry: fast, Logger: log,
	})
	lines.await(t, "still waiting for dependencies", "tcp://"+addr, "file://"+missing)
	err := result(t, done)
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("returned after %v, deadline 300ms", d)
	}
	if code := exitcode.Of(err); code != exitcode.Unavailable {
		t.Fatalf("exit code %d, want 69: %v", code, err)
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		"2 of 3 dependencies not ready within 300ms:",
		"tcp://" + addr + ": ", "connection refused",
		"file://" + missing + ": ", "no such file or directory",
	}
	if len(got) != 3 || got[0] != want[0] ||
		!containsAll(got[1], want[1:3]) || !strings.HasPrefix(got[1], want[1]) ||
		!containsAll(got[2], want[3:5]) || !strings.HasPrefix(got[2], want[3]) {
		t.Errorf("error:\n%s\nwant lines with %q", err, want)
	}
}

func TestForHangingAttemptEndsAtDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)

	began := time.Now()
	err := result(t, start(context.Background(), parse(t, srv.URL), wait.Options{Timeout: 300 * time.Millisecond, Retry: fast}))
	if exitcode.Of(err) != exitcode.Unavailable || !strings.Contains(err.Error(), srv.URL+": 1 attempt,") {
		t.Errorf("got %v, want 69 after one attempt", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("returned after %v, deadline 300ms", d)
	}
}

func TestForCancelled(t *testing.T) {
	log, lines := newLog()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := start(ctx, parse(t, "tcp://"+addr), wait.Options{Timeout: time.Hour, Retry: fast, Logger: log})
	lines.await(t, "dependency not ready", addr)
	cancel()
	err := result(t, done)
	if exitcode.Of(err) != exitcode.Unavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want 69 and context.Canceled", err)
	}
	if !strings.HasPrefix(err.Error(), "waiting for 1 of 1 dependencies stopped: context canceled:\ntcp://"+addr) {
		t.Errorf("error:\n%s", err)
	}
}

func TestForNothing(t *testing.T) {
	if err := wait.For(context.Background(), nil, wait.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct{ spec, want, err string }{
		{"", "", ""},
		{" tcp://db:5432 , ,http://api:8080/health,", "tcp://db:5432 http://api:8080/health", ""},
		{"http://u:pw@api/x,unix:///run/a.sock,file:///shared/ready", "http://u:xxxxx@api/x unix:///run/a.sock file:///shared/ready", ""},
		{"db:5432,tcp://db", "", "bad health target \"db:5432\": unknown scheme \"db\" (want http, tcp, unix or file)\nbad health target \"tcp://db\": want tcp://host:port"},
	}
	for _, tt := range tests {
		targets, err := wait.Parse(tt.spec)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err || exitcode.Of(err) != exitcode.Config {
				t.Errorf("Parse(%q) = %v, want 78 and\n%s", tt.spec, err, tt.err)
			}
			continue
		}
		var got []string
		for _, tg := range targets {
			got = append(got, tg.String())
		}
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.spec, got, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"tcp://db:5432,http://api:8080/health,http://api/x,unix:///run/app.sock,file:///shared/ready",
		"tcp://[::1]:80", "http://u:p@h", "tcp://db", ",,", "%zz", "http://[::1", "unix://host/x", "file:",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		targets, err := wait.Parse(spec)
		if err != nil {
			if exitcode.Of(err) != exitcode.Config {
				t.Fatalf("Parse(%q): exit code %d", spec, exitcode.Of(err))
			}
			return
		}
		for _, tg := range targets {
			if _, err := health.Parse(tg.String()); err != nil && !strings.Contains(tg.String(), "xxxxx") {
				t.Fatalf("Parse(%q): target %q does not read back: %v", spec, tg, err)
			}
		}
	})
}
