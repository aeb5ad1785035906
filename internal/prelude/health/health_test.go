package health_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/health"
)

func ExampleTarget_Check() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	for _, path := range []string{"/health", "/ready"} {
		t, _ := health.Parse(srv.URL + path)
		fmt.Println(path, t.Check(context.Background(), time.Second))
	}
	// Output:
	// /health <nil>
	// /ready status 503 Service Unavailable
}

func ExampleDefaultTarget() {
	env := map[string]string{"PORT": "3000"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	fmt.Println(health.DefaultTarget(lookup))
	env["ENTRYPOINT_HEALTH_PATH"] = "livez"
	fmt.Println(health.DefaultTarget(lookup))
	// Output:
	// http://127.0.0.1:3000/health
	// http://127.0.0.1:3000/livez
}

func TestDefaultTarget(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, "http://127.0.0.1:8080/health"},
		{map[string]string{"PORT": "", "ENTRYPOINT_HEALTH_PATH": ""}, "http://127.0.0.1:8080/health"},
		{map[string]string{"PORT": "9000", "ENTRYPOINT_HEALTH_PATH": "/healthz?full=1"}, "http://127.0.0.1:9000/healthz?full=1"},
	}
	for _, tt := range tests {
		got := health.DefaultTarget(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
		if got != tt.want {
			t.Errorf("DefaultTarget(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct{ target, err string }{
		{"http://api:8080/health", ""},
		{"https://api/health", "https is not supported"},
		{"tcp://db:5432", ""},
		{"tcp://[::1]:5432", ""},
		{"tcp://db:5432/", ""},
		{"unix:///run/app.sock", ""},
		{"file:///shared/ready", ""},
		{"http:///health", "no host"},
		{"tcp://db", "want tcp://host:port"},
		{"tcp://db:", "want tcp://host:port"},
		{"tcp://db:5432/x", "without a path"},
		{"unix://run/app.sock", "want unix:///absolute/path"},
		{"file:relative", "want file:///absolute/path"},
		{"db:5432", `unknown scheme "db"`},
		{"ftp://x", `unknown scheme "ftp"`},
		{"", `unknown scheme ""`},
		{"http://u:hunter2@[::1", `bad health target "http://xxxxx@[::1": missing ']' in host`},
	}
	for _, tt := range tests {
		_, err := health.Parse(tt.target)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Parse(%q): %v", tt.target, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Parse(%q) = %v, want an error with %q", tt.target, err, tt.err)
		case err != nil && (exitcode.Of(err) != exitcode.Config || strings.Contains(err.Error(), "hunter2")):
			t.Errorf("Parse(%q) = %v: want exit code 78 and no password", tt.target, err)
		}
	}
}

func TestCheckHTTPStatus(t *testing.T) {
	mux := http.NewServeMux()
	for _, code := range []int{200, 204, 302, 404, 500, 503} {
		mux.HandleFunc(fmt.Sprintf("/%d", code), func(w http.ResponseWriter, r *http.Request) {
			if code == 302 {
				http.Redirect(w, r, "/500", code) // not followed
				return
			}
			w.WriteHeader(code)
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tests := []struct {
		path, want string
	}{
		{"/200", ""}, {"/204", ""}, {"/302", ""},
		{"/404", "status 404 Not Found"},
		{"/500", "status 500 Internal Server Error"},
		{"/503", "status 503 Service Unavailable"},
	}
	for _, tt := range tests {
		err := health.Check(context.Background(), srv.URL+tt.path, time.Second)
		if tt.want == "" && err != nil {
			t.Errorf("%s: %v", tt.path, err)
		}
		if want := srv.URL + tt.path + ": " + tt.want; tt.want != "" && (err == nil || err.Error() != want) {
			t.Errorf("%s: got %v, want %s", tt.path, err, want)
		}
	}
}

func TestCheckHTTPSendsCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "probe" || p != "hunter2" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	target := strings.Replace(srv.URL, "http://", "http://probe:hunter2@", 1) + "/health"
	if err := health.Check(context.Background(), target, time.Second); err != nil {
		t.Fatal(err)
	}
	err := health.Check(context.Background(), strings.Replace(target, "hunter2", "wrong", 1), time.Second)
	if err == nil || strings.Contains(err.Error(), "wrong") || !strings.Contains(err.Error(), "401") {
		t.Errorf("got %v, want a 401 without the password", err)
	}
}

func TestCheckHTTPTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release) // before srv.Close, which waits for handlers

	start := time.Now()
	err := health.Check(context.Background(), srv.URL, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Errorf("got %v, want no answer within 100ms", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestCheckTCPUnixFile(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed := closedPort(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "app.sock")
	uln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer uln.Close()
	ready := filepath.Join(dir, "ready")
	if err := os.WriteFile(ready, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct{ target, want string }{
		{"tcp://" + ln.Addr().String(), ""},
		{"tcp://" + closed, "connection refused"},
		{"unix://" + sock, ""},
		{"unix://" + dir + "/missing.sock", "no such file or directory"},
		{"file://" + ready, ""},
		{"file://" + dir + "/missing", "no such file or directory"},
	}
	for _, tt := range tests {
		err := health.Check(context.Background(), tt.target, time.Second)
		if tt.want == "" && err != nil {
			t.Errorf("%s: %v", tt.target, err)
		}
		if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), tt.target+": ")) {
			t.Errorf("%s: got %v, want an error naming it with %q", tt.target, err, tt.want)
		}
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// FuzzParse: Parse never panics, an accepted target renders without its
// password and (unless the password was redacted) parses back, and a
// rejected one carries exit code 78.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/health", "https://u:pw@api/x?y=1", "tcp://db:5432", "unix:///run/app.sock", "file:///ready", "tcp://:1", "ftp://x", "http://[::1]:80/", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		target, err := health.Parse(s)
		if err != nil {
			if code := exitcode.Of(err); code != exitcode.Config {
				t.Fatalf("Parse(%q): exit code %d, want 78: %v", s, code, err)
			}
			return
		}
		rendered := target.String()
		if strings.Contains(s, ":pw@") && strings.Contains(rendered, ":pw@") {
			t.Fatalf("Parse(%q).String() = %q shows the password", s, rendered)
		}
		if _, err := health.Parse(rendered); err != nil && !strings.Contains(rendered, "xxxxx") {
			t.Fatalf("Parse(%q).String() = %q does not parse back: %v", s, rendered, err)
		}
	})
}
