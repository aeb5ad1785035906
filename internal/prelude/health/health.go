// Package health checks whether a service or a dependency answers: the probe
// behind `entrypoint healthcheck` (Docker HEALTHCHECK) and behind waiting for
// dependencies.
//
// Targets are URLs:
//
//	http://host[:port]/path    healthy on a 2xx or 3xx answer to GET; redirects are not followed
//
// https is refused with a clear error: TLS would triple the PID-1 binary
// and its start-up for a probe that almost always runs on the loopback;
// probe http on 127.0.0.1, or tcp://host:443 for a TLS dependency.
//
//	tcp://host:port            healthy when a TCP connection opens
//	unix:///path/to.sock       healthy when a unix socket connection opens
//	file:///path               healthy when the file exists
//
// Guarantees:
//   - Check makes one attempt, bounded by its timeout and its ctx, and never
//     retries (see internal/retry for that).
//   - Every goroutine Check starts has ended when it returns; HTTP is spoken
//     on a connection of its own (HTTP/1.1, Connection: close, no proxy, no
//     pooling), so nothing lingers.
//   - Errors are one line saying why: "status 503 Service Unavailable",
//     "dial tcp 127.0.0.1:5432: connect: connection refused",
//     "no answer within 2s: ...". URLs in messages have their password
//     redacted. Parse errors carry exit code 78 (exitcode.Config); a failed
//     check carries none (exit 1 in the binary).
//
// DefaultTarget builds the target `entrypoint healthcheck` uses when given
// none, from PORT and ENTRYPOINT_HEALTH_PATH.
package health

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// Target is a parsed, validated health target.
type Target struct {
	u *url.URL
}

// Parse validates target, one of the URL forms in the package comment.
func Parse(target string) (Target, error) {
	u, err := url.Parse(target)
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // without the URL, which may hold a password
	} else if err == nil {
		err = validate(u)
	}
	if err != nil {
		return Target{}, exitcode.Wrap(exitcode.Config, fmt.Errorf("bad health target %q: %w", redact(target), err))
	}
	return Target{u: u}, nil
}

func validate(u *url.URL) error {
	switch u.Scheme {
	case "http":
		return need(u.Host != "", "no host")
	case "https":
		return errors.New("https is not supported (no TLS in the PID-1 binary): probe http on the loopback, or tcp://host:443")
	case "tcp":
		_, port, err := net.SplitHostPort(u.Host)
		if err != nil || port == "" {
			return errors.New("want tcp://host:port")
		}
		return need(strings.Trim(u.Path, "/") == "" && u.RawQuery == "", "want tcp://host:port, without a path")
	case "unix", "file":
		return need(u.Host == "" && strings.HasPrefix(u.Path, "/"), "want "+u.Scheme+":///absolute/path")
	}
	return fmt.Errorf("unknown scheme %q (want http, tcp, unix or file)", u.Scheme)
}

func need(ok bool, why string) error {
	if ok {
		return nil
	}
	return errors.New(why)
}

// String is the target's URL with any password redacted.
func (t Target) String() string { return t.u.Redacted() }

// Check parses target and checks it once within timeout (0: only ctx
// bounds it). The error names the target and says why it is unhealthy.
func Check(ctx context.Context, target string, timeout time.Duration) error {
	t, err := Parse(target)
	if err != nil {
		return err
	}
	if err := t.Check(ctx, timeout); err != nil {
		return fmt.Errorf("%s: %w", t, err)
	}
	return nil
}

// Check checks t once within timeout (0: only ctx bounds it). The error
// says why t is unhealthy, without naming t.
func (t Target) Check(ctx context.Context, timeout time.Duration) error {
	if timeout <= 0 {
		return t.probe(ctx)
	}
	parent, bounded := ctx.Deadline()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	own, _ := ctx.Deadline()
	err := t.probe(ctx)
	if err != nil && (!bounded || own.Before(parent)) && !time.Now().Before(own) {
		return fmt.Errorf("no answer within %v: %w", timeout, err)
	}
	return err
}

func (t Target) probe(ctx context.Context) error {
	switch t.u.Scheme {
	case "tcp":
		return dial(ctx, "tcp", t.u.Host)
	case "unix":
		return dial(ctx, "unix", t.u.Path)
	case "file":
		_, err := os.Stat(t.u.Path)
		return err
	}
	return get(ctx, t.u)
}

// dial opens a connection and closes it again.
func dial(ctx context.Context, network, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// DefaultTarget is the target a service is checked at when none is given:
// http://127.0.0.1:$PORT$ENTRYPOINT_HEALTH_PATH, where PORT defaults to 8080
// and ENTRYPOINT_HEALTH_PATH to /health (a missing leading / is added).
// Empty variables count as unset.
func DefaultTarget(lookup func(string) (string, bool)) string {
	port := orDefault(lookup, "PORT", "8080")
	path := orDefault(lookup, "ENTRYPOINT_HEALTH_PATH", "/health")
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return "http://" + net.JoinHostPort("127.0.0.1", port) + path
}

func orDefault(lookup func(string) (string, bool), name, def string) string {
	if v, _ := lookup(name); v != "" {
		return v
	}
	return def
}

// redact hides the password of a URL that may not parse.
func redact(target string) string {
	if u, err := url.Parse(target); err == nil {
		return u.Redacted()
	}
	if i, j := strings.Index(target, "://"), strings.LastIndex(target, "@"); i >= 0 && j > i {
		return target[:i+3] + "xxxxx" + target[j:]
	}
	return target
}
