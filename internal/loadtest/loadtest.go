// Package loadtest sends a steady HTTP load to a URL while a test changes
// what serves it, and counts what came back: for proving that a rolling
// update drops no request. Only tests import it (the binary must not link
// net/http).
//
// Guarantees:
//   - every request opens a connection of its own (keep-alive disabled),
//     so each one goes through the listener the update swaps, not down a
//     connection opened before it;
//   - a request fails when it gets no answer (refused, reset, no answer
//     within Options.Timeout) or an answer other than 200 OK; a request
//     cut short by Stop itself is not counted either way;
//   - Start starts Options.Workers goroutines; all have ended when Stop
//     returns.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Options say what to load and how hard.
type Options struct {
	URL     string
	Workers int           // concurrent requesters; 0 means 4
	Pause   time.Duration // each worker's pause between requests; 0 means 10ms
	Timeout time.Duration // a request's deadline; 0 means 5s
	// Header is the response header whose values Report.Answers counts,
	// e.g. X-Version.
	Header string
}

// Report is what a load saw.
type Report struct {
	OK       int            // 200 OK answers
	Failed   int            // refused, reset, timed out, or another status
	Errors   []string       // the first failures, for the test's message
	Answers  map[string]int // 200 OK answers by the value of Options.Header
	Duration time.Duration
}

func (r Report) String() string {
	return fmt.Sprintf("%d ok, %d failed in %v; answers %v; first failures %q", r.OK, r.Failed, r.Duration.Round(time.Millisecond), r.Answers, r.Errors)
}

// maxErrors is how many failures a Report keeps word for word.
const maxErrors = 10

// Load is a load running.
type Load struct {
	opts   Options
	cancel context.CancelFunc
	wg     sync.WaitGroup
	start  time.Time

	mu      sync.Mutex
	report  Report
	changed chan struct{} // closed and replaced at each count
}

// Start starts the workers.
func Start(opts Options) *Load {
	opts.Workers = or(opts.Workers, 4)
	opts.Pause = or(opts.Pause, 10*time.Millisecond)
	opts.Timeout = or(opts.Timeout, 5*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{opts: opts, cancel: cancel, start: time.Now(), report: Report{Answers: map[string]int{}}, changed: make(chan struct{})}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}, Timeout: opts.Timeout}
	for range opts.Workers {
		l.wg.Add(1)
		go l.work(ctx, client)
	}
	return l
}

// Stop stops the workers, waits for them and returns the report.
func (l *Load) Stop() Report {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.report.Duration = time.Since(l.start)
	return l.report
}

// Report is the report so far.
func (l *Load) Report() Report {
	r, _ := l.snapshot()
	return r
}

// WaitFor waits until cond holds for the report so far and returns that
// report, or returns the last report and false after timeout.
func (l *Load) WaitFor(timeout time.Duration, cond func(Report) bool) (Report, bool) {
	deadline := time.After(timeout)
	for {
		r, changed := l.snapshot()
		if cond(r) {
			return r, true
		}
		select {
		case <-changed:
		case <-deadline:
			return r, false
		}
	}
}

// snapshot copies the report and returns the channel its next change
// closes.
func (l *Load) snapshot() (Report, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.report
	r.Answers = make(map[string]int, len(l.report.Answers))
	for k, v := range l.report.Answers {
		r.Answers[k] = v
	}
	r.Errors = append([]string(nil), l.report.Errors...)
	r.Duration = time.Since(l.start)
	return r, l.changed
}

func (l *Load) work(ctx context.Context, client *http.Client) {
	defer l.wg.Done()
	pause := time.NewTicker(l.opts.Pause)
	defer pause.Stop()
	for {
		answer, err := l.get(ctx, client)
		if ctx.Err() != nil {
			return // cut short by Stop: counted neither way
		}
		l.count(answer, err)
		select {
		case <-ctx.Done():
			return
		case <-pause.C:
		}
	}
}

// get sends one request and returns the value of the header counted.
func (l *Load) get(ctx context.Context, client *http.Client) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.opts.URL, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", fmt.Errorf("read the body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	return resp.Header.Get(l.opts.Header), nil
}

func (l *Load) count(answer string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	if err != nil {
		l.report.Failed++
		if len(l.report.Errors) < maxErrors {
			l.report.Errors = append(l.report.Errors, fmt.Sprintf("%s: %v", time.Since(l.start).Round(time.Millisecond), err))
		}
		return
	}
	l.report.OK++
	if l.opts.Header != "" {
		l.report.Answers[answer]++
	}
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
