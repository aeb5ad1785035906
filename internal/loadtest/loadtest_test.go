package loadtest_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/loadtest"
)

func TestCountsAnswersByHeaderAndFailures(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Version", r.URL.Query().Get("v"))
		if r.URL.Query().Get("fail") == "1" {
			http.Error(w, "no", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	ok := loadtest.Start(loadtest.Options{URL: srv.URL + "/?v=a", Header: "X-Version"})
	r, seen := ok.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.OK >= 5 })
	require.True(t, seen, "%v", r)
	r = ok.Stop()
	require.Zero(t, r.Failed, "%v", r)
	require.Equal(t, map[string]int{"a": r.OK}, r.Answers)

	bad := loadtest.Start(loadtest.Options{URL: srv.URL + "/?fail=1", Workers: 1})
	r, seen = bad.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.Failed >= 3 })
	require.True(t, seen, "%v", r)
	r = bad.Stop()
	require.Zero(t, r.OK)
	require.Contains(t, r.Errors[0], "status 503 Service Unavailable")
}

func TestARefusedConnectionIsAFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now

	load := loadtest.Start(loadtest.Options{URL: "http://" + addr + "/", Workers: 1})
	r, seen := load.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.Failed >= 2 })
	require.True(t, seen, "%v", r)
	r = load.Stop()
	require.Contains(t, r.Errors[0], "connection refused")
}
