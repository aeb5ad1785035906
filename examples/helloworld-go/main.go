// Command helloworld-go is the smallest service run by entrypoint's
// standard tasks: GET / says hello, GET /health says ok. It listens on
// $PORT (default 8080).
//
// Its Procfile declares run and test_unit; static_analysis comes from the
// go preset of the module it lives in. `entrypoint test_unit`,
// `go tool mage testUnit` and `docker run IMAGE test_unit` all run its
// tests the same way.
package main

import (
	"cmp"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	addr := ":" + cmp.Or(os.Getenv("PORT"), "8080")
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, newHandler()))
}

// newHandler serves / and /health.
func newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello, world")
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	return mux
}
