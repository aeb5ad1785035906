package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func get(t *testing.T, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	newHandler("", false).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestHello(t *testing.T) {
	if os.Getenv("HELLO_FAIL") == "1" {
		t.Fatal("HELLO_FAIL=1: failing on purpose")
	}
	if code, body := get(t, "/"); code != http.StatusOK || body != "hello, world\n" {
		t.Errorf("GET / = %d %q, want 200 \"hello, world\\n\"", code, body)
	}
}

func TestHealth(t *testing.T) {
	if code, body := get(t, "/health"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /health = %d %q, want 200 \"ok\\n\"", code, body)
	}
}

func TestUnknownPathIsNotFound(t *testing.T) {
	if code, _ := get(t, "/nope"); code != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", code)
	}
}

func TestVersionAndUnhealthy(t *testing.T) {
	rec := httptest.NewRecorder()
	newHandler("v2", true).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := rec.Header().Get("X-Version"); got != "v2" {
		t.Errorf("X-Version = %q, want v2", got)
	}
	rec = httptest.NewRecorder()
	newHandler("v2", true).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /health with unhealthy = %d, want 503", rec.Code)
	}
}
