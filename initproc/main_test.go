package initproc_test

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/testchild"
)

// The test binary is also the child: Run starts it again with
// ENTRYPOINT_TESTCHILD=1 and a testchild command.
func TestMain(m *testing.M) {
	testchild.Dispatch()
	os.Exit(m.Run())
}

// child is the argv that runs a testchild command.
func child(args ...any) []string {
	argv := []string{os.Args[0]}
	for _, a := range args {
		switch v := a.(type) {
		case int:
			argv = append(argv, strconv.Itoa(v))
		case string:
			argv = append(argv, v)
		}
	}
	return argv
}

func childEnv() []string { return append(os.Environ(), testchild.Env+"=1") }

// deadline bounds every wait in these tests.
const deadline = 20 * time.Second

// output is a pipe the child writes to, read line by line.
type output struct {
	w     *os.File
	lines chan string
	seen  []string
}

func newOutput(t *testing.T) *output {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	o := &output{w: w, lines: make(chan string, 4096)}
	go func() {
		defer close(o.lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			o.lines <- sc.Text()
		}
		r.Close()
	}()
	t.Cleanup(func() { w.Close() })
	return o
}

// waitFor returns once a line equal to want has been printed, now or
// before; it fails at the deadline or when the output ends first.
func (o *output) waitFor(t *testing.T, want string) {
	t.Helper()
	for _, line := range o.seen {
		if line == want {
			return
		}
	}
	timeout := time.After(deadline)
	for {
		select {
		case line, ok := <-o.lines:
			if !ok {
				t.Fatalf("output ended before %q; saw %q", want, o.seen)
			}
			o.seen = append(o.seen, line)
			if line == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %q within %v; saw %q", want, deadline, o.seen)
		}
	}
}

// rest closes the write end and returns every line not yet read.
func (o *output) rest() []string {
	o.w.Close()
	var rest []string
	for line := range o.lines {
		rest = append(rest, line)
	}
	return rest
}

// logs records what Run logs, and tells when a message appears.
type logs struct {
	mu      sync.Mutex
	records []string
	notify  map[string]chan struct{}
}

func newLogs() *logs { return &logs{notify: map[string]chan struct{}{}} }

func (l *logs) logger() *slog.Logger { return slog.New(&logHandler{l: l}) }

// when returns a channel closed once msg has been logged.
func (l *logs) when(msg string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.notify[msg]
	if !ok {
		c = make(chan struct{})
		l.notify[msg] = c
	}
	return c
}

func (l *logs) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if strings.Contains(r, substr) {
			n++
		}
	}
	return n
}

type logHandler struct {
	l     *logs
	attrs []slog.Attr
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *logHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return &logHandler{l: h.l, attrs: append(h.attrs, a...)}
}
func (h *logHandler) WithGroup(string) slog.Handler { return h }
func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	h.l.mu.Lock()
	defer h.l.mu.Unlock()
	h.l.records = append(h.l.records, b.String())
	c, ok := h.l.notify[r.Message]
	if !ok {
		c = make(chan struct{})
		h.l.notify[r.Message] = c
	}
	select {
	case <-c:
	default:
		close(c)
	}
	return nil
}

func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(deadline):
		t.Fatalf("%s did not happen within %v", what, deadline)
	}
}
