package loadtest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/entrypoint/entrypoint/internal/loadtest"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Version", "v1")
	}))
	defer srv.Close()

	load := loadtest.Start(loadtest.Options{URL: srv.URL, Workers: 2, Header: "X-Version"})
	load.WaitFor(time.Minute, func(r loadtest.Report) bool { return r.OK >= 10 })
	// a test changes what serves the URL here
	report := load.Stop()
	fmt.Println("failed:", report.Failed)
	fmt.Println("only v1 answered:", report.Answers["v1"] == report.OK)
	// Output:
	// failed: 0
	// only v1 answered: true
}
