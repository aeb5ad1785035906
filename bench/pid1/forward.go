package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// forwardResult: SIGTERM forwarding latency, from the harness's kill(2) of
// the init to the child's receipt, CLOCK_MONOTONIC on both sides.
type forwardResult struct {
	err      error
	samples  []float64 // µs
	median   float64
	p90      float64
	late     int    // samples the child caught late, left out
	partial  string // why fewer samples than asked, if so
	exitNote string // how the instance ended, if not with status 0
}

// rssResult: the init process's memory while its child sleeps.
type rssResult struct {
	err      error
	rssKiB   int
	hwmKiB   int
	threads  int
	afterKiB int // VmRSS after all forwarding samples
}

// instance is one running "INIT CHILD forward-latency".
type instance struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	dead  bool
}

func startInstance(ctx context.Context, name string, argv []string) (*instance, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	// Its own process group: a Ctrl-C at the terminal reaches the harness,
	// not the inits; they end when the harness's stdin pipe closes.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	in := &instance{name: name, cmd: cmd, stdin: stdin, lines: make(chan string, 4)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), tag); ok {
				in.lines <- line
			}
		}
		close(in.lines)
	}()
	line, err := in.next(ctx, 10*time.Second)
	if err == nil && line != "ready" {
		err = fmt.Errorf("want ready, got %q", line)
	}
	if err != nil {
		in.stop()
		return nil, err
	}
	return in, nil
}

// next waits for the child's next line.
func (in *instance) next(ctx context.Context, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case line, ok := <-in.lines:
		if !ok {
			in.dead = true
			return "", errors.New("the child's output ended (init or child exited)")
		}
		return line, nil
	case <-t.C:
		return "", fmt.Errorf("no line from the child within %s", timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// sample sends one SIGTERM to the init and returns the latency in µs, and
// whether the child saw it late (through its fallback path, see
// forwardLatency).
func (in *instance) sample(ctx context.Context) (float64, bool, error) {
	t0 := mono()
	if err := syscall.Kill(in.cmd.Process.Pid, syscall.SIGTERM); err != nil {
		return 0, false, fmt.Errorf("kill: %w", err)
	}
	line, err := in.next(ctx, 2*time.Second)
	if err != nil {
		return 0, false, err
	}
	stamp, late := strings.CutSuffix(line, " late")
	t1, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("child said %q", line)
	}
	return float64(t1-t0) / 1e3, late, nil
}

// stop closes the child's stdin (it exits 0 on EOF), waits for the init and
// describes anything but a clean exit.
func (in *instance) stop() string {
	in.stdin.Close()
	timer := time.AfterFunc(10*time.Second, func() { in.cmd.Process.Kill() })
	defer timer.Stop()
	for range in.lines { // drain to EOF before Wait
	}
	if err := in.cmd.Wait(); err != nil {
		return "exit: " + err.Error()
	}
	return ""
}

// measureForward starts one instance per init plus the child alone
// ("direct": the floor set by the child's own signal delivery), reads each
// init's RSS, then takes cfg.signals samples round-robin across instances,
// in a new random order each round.
func measureForward(ctx context.Context, cfg *config, res []*result) *forwardResult {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	childArgv := []string{cfg.self, "child", "forward-latency"}
	type slot struct {
		in  *instance
		fr  *forwardResult
		rss *rssResult
	}
	var slots []*slot
	direct := &forwardResult{}
	if in, err := startInstance(ctx, "direct", childArgv); err != nil {
		direct.err = err
	} else {
		slots = append(slots, &slot{in: in, fr: direct})
	}
	for _, r := range res {
		r.forward, r.rss = &forwardResult{}, &rssResult{}
		argv := append(append([]string(nil), r.spec.Argv...), childArgv...)
		in, err := startInstance(ctx, r.spec.Name, argv)
		if err != nil {
			r.forward.err, r.rss.err = err, err
			continue
		}
		r.rss.rssKiB, r.rss.hwmKiB, r.rss.threads, r.rss.err = procStatus(in.cmd.Process.Pid)
		slots = append(slots, &slot{in: in, fr: r.forward, rss: r.rss})
	}
	fmt.Fprintf(cfg.log, "forward: %d SIGTERMs to each of %d running instances, round-robin\n", cfg.signals, len(slots))
	for i := -20; i < cfg.signals; i++ { // 20 warm-up samples
		// A new order each round: no init always follows the same one.
		rand.Shuffle(len(slots), func(a, b int) { slots[a], slots[b] = slots[b], slots[a] })
		for _, s := range slots {
			if s.in.dead || s.fr.partial != "" {
				continue
			}
			us, late, err := s.in.sample(ctx)
			if err != nil {
				s.fr.partial = fmt.Sprintf("stopped after %d samples: %v", max(i, 0), err)
				continue
			}
			if late && i >= 0 {
				s.fr.late++
			} else if i >= 0 {
				s.fr.samples = append(s.fr.samples, us)
			}
		}
	}
	for _, s := range slots {
		if s.rss != nil && !s.in.dead {
			s.rss.afterKiB, _, _, _ = procStatus(s.in.cmd.Process.Pid)
		}
		s.fr.exitNote = s.in.stop()
		if s.fr.late > 0 {
			s.fr.exitNote += fmt.Sprintf(" %d late samples left out", s.fr.late)
		}
		if len(s.fr.samples) == 0 {
			s.fr.err = errors.New(s.fr.partial + " " + s.fr.exitNote)
			continue
		}
		s.fr.median = median(s.fr.samples)
		s.fr.p90 = percentile(s.fr.samples, 90)
	}
	return direct
}

// procStatus reads VmRSS, VmHWM (KiB) and Threads from /proc/PID/status.
func procStatus(pid int) (rss, hwm, threads int, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		key, val, _ := strings.Cut(line, ":")
		f := strings.Fields(val)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.Atoi(f[0])
		switch key {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		case "Threads":
			threads = n
		}
	}
	if rss == 0 {
		return 0, 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return rss, hwm, threads, nil
}
