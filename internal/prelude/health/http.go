package health

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// get sends one GET for u on a connection of its own and judges the status
// line. The request is written by hand and only the status line is read:
// net/http would add megabytes to the PID-1 binary for one line of HTTP.
func get(ctx context.Context, u *url.URL) error {
	port := u.Port()
	if port == "" {
		port = "80"
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return err
	}
	defer conn.Close()
	defer interruptOnDone(ctx, conn)()

	if _, err := conn.Write([]byte(request(u))); err != nil {
		return err
	}
	// The body is never read: closing the connection discards it.
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no HTTP answer: %w", err)
	}
	code, status, err := statusLine(line)
	if err != nil {
		return err
	}
	if code < 200 || code > 399 {
		return fmt.Errorf("status %s", status)
	}
	return nil
}

// request is the HTTP/1.1 GET for u, with basic auth from its user info.
func request(u *url.URL) string {
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: entrypoint-healthcheck\r\nAccept: */*\r\nConnection: close\r\n", u.RequestURI(), u.Host)
	if u.User != nil {
		pw, _ := u.User.Password()
		fmt.Fprintf(&b, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)))
	}
	b.WriteString("\r\n")
	return b.String()
}

// statusLine reads "HTTP/1.1 503 Service Unavailable".
func statusLine(line string) (code int, status string, err error) {
	proto, status, ok := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") || len(status) < 3 {
		return 0, "", fmt.Errorf("not an HTTP answer: %q", strings.TrimSpace(line))
	}
	code, err = strconv.Atoi(status[:3])
	if err != nil {
		return 0, "", fmt.Errorf("not an HTTP status: %q", strings.TrimSpace(line))
	}
	return code, status, nil
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
