// Command helloworld-go is the smallest service run by entrypoint's
// standard tasks: GET / says hello (and the version it runs), GET /health
// says ok. It listens on $PORT (default 8080).
//
// It behaves as a service behind a rolling update should:
//   - it listens with SO_REUSEPORT, so a new instance on the host network
//     can bind the same port beside the old one before the old one stops;
//   - on SIGTERM or SIGINT it stops accepting, finishes the requests in
//     flight and exits 0 (docker stop, graceful);
//   - HELLO_UNHEALTHY=1 makes /health answer 503: a version that must
//     never take traffic, for the deploy tests.
//
// Its Procfile declares run and test_unit; `entrypoint test_unit`,
// `go tool mage testUnit` and `docker run IMAGE test_unit` all run its
// tests the same way.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := serve(ctx, ":"+cmp.Or(os.Getenv("PORT"), "8080")); err != nil {
		log.Fatal(err)
	}
}

// serve answers on addr until ctx ends, then stops gracefully: it stops
// accepting and answers every connection it has accepted.
func serve(ctx context.Context, addr string) error {
	lc := net.ListenConfig{Control: reusePort}
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	var open sync.WaitGroup // the connections accepted and not closed yet
	srv := &http.Server{
		Handler:           newHandler(os.Getenv("VERSION"), os.Getenv("HELLO_UNHEALTHY") == "1"),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			switch state {
			case http.StateNew:
				open.Add(1)
			case http.StateClosed, http.StateHijacked:
				open.Done()
			}
		},
	}
	log.Printf("listening on %s", l.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Not srv.Shutdown: a connection it reads a request from after it
	// began is closed unanswered. Stop accepting, then answer each
	// connection accepted, one request each.
	log.Printf("stopping: finishing the requests in flight")
	srv.SetKeepAlivesEnabled(false)
	if err := l.Close(); err != nil {
		return err
	}
	<-done // Serve has returned: no connection is accepted any more
	drained := make(chan struct{})
	go func() { open.Wait(); close(drained) }()
	select {
	case <-drained:
		return nil
	case <-time.After(10 * time.Second):
		srv.Close()
		return errors.New("stop: requests still in flight after 10s; closed their connections")
	}
}

// reusePort sets SO_REUSEPORT on the listening socket.
func reusePort(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
	})
	return cmp.Or(err, serr)
}

// newHandler serves / and /health; unhealthy makes /health answer 503.
func newHandler(version string, unhealthy bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if version != "" {
			w.Header().Set("X-Version", version)
		}
		fmt.Fprintln(w, "hello, world")
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		if unhealthy {
			http.Error(w, "unhealthy on purpose (HELLO_UNHEALTHY=1)", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
