package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// reapResult: orphan reaping throughput of a zombie burst in a PID
// namespace, and whether orphans are reaped while the child lives.
type reapResult struct {
	err     error
	rates   []float64 // reaps/s, one per burst
	median  float64   // reaps/s
	medMs   float64   // the median burst's time, ms
	zombies int       // per burst
	// The orphans check: zombies still in the namespace when the child
	// gave up waiting (-1: not run), and how long the drain took.
	left    int
	drainMs float64
	note    string
}

// measureReap runs cfg.reapRounds bursts per init, init after init within
// a round, then the orphans check once per init.
func measureReap(ctx context.Context, cfg *config, res []*result) {
	for _, r := range res {
		r.reap = &reapResult{left: -1}
	}
	if os.Geteuid() != 0 {
		for _, r := range res {
			r.reap.err = errors.New("skipped: a PID namespace (unshare --pid) needs root")
		}
		return
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		for _, r := range res {
			r.reap.err = errors.New("skipped: unshare not found (apt-get install util-linux)")
		}
		return
	}
	for round := 1; round <= cfg.reapRounds; round++ {
		fmt.Fprintf(cfg.log, "reap: round %d/%d, a burst of %d zombies under each init\n", round, cfg.reapRounds, cfg.zombies)
		for _, r := range res {
			if r.reap.err != nil {
				continue
			}
			rate, n, err := burst(ctx, cfg, r.spec)
			if err != nil {
				r.reap.err = fmt.Errorf("round %d: %w", round, err)
				continue
			}
			if n != cfg.zombies {
				r.reap.note = fmt.Sprintf("only %d of %d forks succeeded", n, cfg.zombies)
			}
			r.reap.zombies = n
			r.reap.rates = append(r.reap.rates, rate)
		}
	}
	fmt.Fprintf(cfg.log, "reap: orphans check (%d orphans while the child lives) under each init\n", cfg.zombies)
	for _, r := range res {
		if r.reap.err != nil {
			continue
		}
		r.reap.median = median(r.reap.rates)
		r.reap.medMs = float64(r.reap.zombies) / r.reap.median * 1e3
		r.reap.left, r.reap.drainMs, r.reap.err = orphansLeft(ctx, cfg, r.spec)
	}
}

// nsArgv is "unshare ... INIT CHILD args...": the init is PID 1 of a new
// PID namespace, which is torn down (every process in it killed and reaped
// by the kernel) when the init exits; --kill-child ends it if the harness
// gives up on unshare.
func nsArgv(cfg *config, spec initSpec, args ...string) []string {
	argv := []string{"unshare", "--pid", "--fork", "--kill-child", "--mount-proc"}
	argv = append(argv, spec.Argv...)
	return append(append(argv, cfg.self, "child"), args...)
}

// burst runs one zombie burst and returns reaps/s: N / (time from the
// child's last timestamp to the end of the init, seen as unshare's exit).
func burst(ctx context.Context, cfg *config, spec initSpec) (float64, int, error) {
	argv := nsArgv(cfg, spec, "spawn-zombies", strconv.Itoa(cfg.zombies))
	out, end, err := runTimed(ctx, cfg.timeout, argv)
	if err != nil {
		return 0, 0, err
	}
	var n int
	var start int64
	if _, err := fmt.Sscanf(protocol(out), "zombies %d mono %d", &n, &start); err != nil {
		return 0, 0, fmt.Errorf("child output %q: %w", out, err)
	}
	if end <= start || n == 0 {
		return 0, 0, fmt.Errorf("bad timing: start %d end %d n %d", start, end, n)
	}
	return float64(n) / (float64(end-start) / 1e9), n, nil
}

// orphansLeft runs the orphans check under spec in a PID namespace.
func orphansLeft(ctx context.Context, cfg *config, spec initSpec) (int, float64, error) {
	out, _, err := runTimed(ctx, cfg.timeout, nsArgv(cfg, spec, "orphans-check", strconv.Itoa(cfg.zombies)))
	var left int
	var ns int64
	if _, serr := fmt.Sscanf(protocol(out), "left %d drain_ns %d", &left, &ns); serr != nil {
		if err == nil {
			err = fmt.Errorf("child output %q: %w", out, serr)
		}
		return -1, 0, fmt.Errorf("orphans check: %w", err)
	}
	return left, float64(ns) / 1e6, nil // left > 0 also exits 1: not an error here
}

// runTimed runs argv with stdout and stderr on plain pipes (so that Wait
// returns when the process ends, not when pipes drain), and returns stdout
// and the CLOCK_MONOTONIC time at which the wait returned. A non-zero exit
// is an error that quotes stderr.
func runTimed(ctx context.Context, timeout time.Duration, argv []string) ([]byte, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	var stdout, stderr bytes.Buffer
	done := make(chan struct{}, 2)
	go func() { stdout.ReadFrom(outR); outR.Close(); done <- struct{}{} }()
	go func() { stderr.ReadFrom(errR); errR.Close(); done <- struct{}{} }()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close()
	errW.Close()
	var end int64
	if err == nil {
		err = cmd.Wait()
		end = mono()
	}
	<-done
	<-done
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %s", ctx.Err(), timeout)
		}
		return stdout.Bytes(), 0, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), end, nil
}

// protocol returns the child's first protocol line in out, without its tag.
func protocol(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, tag); ok {
			return rest
		}
	}
	return ""
}
