package health

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// get sends one GET for u on a connection of its own and judges the status.
func get(ctx context.Context, u *url.URL, conf *tls.Config) error {
	conn, err := dialHTTP(ctx, u, conf)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer interruptOnDone(ctx, conn)()

	req, err := request(ctx, u)
	if err != nil {
		return err
	}
	if err := req.Write(conn); err != nil {
		return err
	}
	// The body is never read: closing the connection discards it.
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 399 {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

func request(ctx context.Context, u *url.URL) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Close = true
	req.Header.Set("User-Agent", "entrypoint-healthcheck")
	if u.User != nil {
		pw, _ := u.User.Password()
		req.SetBasicAuth(u.User.Username(), pw)
	}
	return req, nil
}

func dialHTTP(ctx context.Context, u *url.URL, conf *tls.Config) (net.Conn, error) {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	if u.Scheme == "http" {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
	d := tls.Dialer{Config: conf} // ServerName is taken from addr
	return d.DialContext(ctx, "tcp", addr)
}

// interruptOnDone makes I/O on conn fail once ctx is done. The returned stop
// function returns only when the interrupting goroutine, if started, is over.
func interruptOnDone(ctx context.Context, conn net.Conn) (stop func()) {
	done := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
		close(done)
	})
	return func() {
		if !stopAfter() {
			<-done
		}
	}
}
