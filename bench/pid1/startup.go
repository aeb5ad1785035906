package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// startupResult: medians in milliseconds; overhead is INIT true minus bare
// true, both from the same interleaved rounds.
type startupResult struct {
	err        error
	medianMs   float64
	bareMs     float64
	overheadMs float64
	runs       int
}

// measureStartup times "true" and "INIT true" for every init. The runs are
// split in rounds and each round runs every command, so a burst of
// background load hits all of them alike; the median is over all rounds.
func measureStartup(ctx context.Context, cfg *config, res []*result) {
	cmds := [][]string{{cfg.truePath}}
	var idx []*result // res of cmds[i+1]
	for _, r := range res {
		argv := append(append([]string(nil), r.spec.Argv...), cfg.truePath)
		// One plain run first: a failing command would abort hyperfine.
		if out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput(); err != nil {
			r.startup = &startupResult{err: fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))}
			continue
		}
		cmds = append(cmds, argv)
		idx = append(idx, r)
	}
	rounds := max(cfg.startupRounds, 1)
	perRound := max(cfg.startupRuns/rounds, 1)
	samples := make([][]float64, len(cmds))
	for round := 1; round <= rounds; round++ {
		fmt.Fprintf(cfg.log, "startup: round %d/%d, %d runs of %d commands (%s)\n", round, rounds, perRound, len(cmds), cfg.startupMethod)
		rctx, cancel := context.WithTimeout(ctx, cfg.timeout)
		var got [][]float64
		var err error
		if cfg.startupMethod == "loop" {
			got, err = loopRound(rctx, cmds, perRound)
		} else {
			got, err = hyperfineRound(rctx, cmds, perRound)
		}
		cancel()
		if err != nil {
			for _, r := range idx {
				r.startup = &startupResult{err: fmt.Errorf("round %d: %w", round, err)}
			}
			return
		}
		for i := range samples {
			samples[i] = append(samples[i], got[i]...)
		}
	}
	bare := median(samples[0])
	for i, r := range idx {
		m := median(samples[i+1])
		r.startup = &startupResult{medianMs: m, bareMs: bare, overheadMs: m - bare, runs: len(samples[i+1])}
	}
}

// hyperfineRound runs hyperfine -N (no shell) over cmds and returns each
// command's run times in milliseconds.
func hyperfineRound(ctx context.Context, cmds [][]string, runs int) ([][]float64, error) {
	dir, err := os.MkdirTemp("", "pid1-hyperfine-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "out.json")
	args := []string{"-N", "--style", "none", "--warmup", "20", "--runs", fmt.Sprint(runs), "--export-json", out}
	for _, c := range cmds {
		args = append(args, strings.Join(c, " "))
	}
	hf := exec.CommandContext(ctx, "hyperfine", args...)
	if b, err := hf.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("hyperfine: %w: %s", err, strings.TrimSpace(string(b)))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Results []struct {
			Times []float64 `json:"times"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("hyperfine json: %w", err)
	}
	if len(doc.Results) != len(cmds) {
		return nil, fmt.Errorf("hyperfine: %d results for %d commands", len(doc.Results), len(cmds))
	}
	times := make([][]float64, len(cmds))
	for i, r := range doc.Results {
		for _, t := range r.Times {
			times[i] = append(times[i], t*1e3)
		}
	}
	return times, nil
}

// loopRound is the hyperfine-free method: fork/exec/wait4 each command in
// turn (interleaved run by run), timing each with the monotonic clock.
func loopRound(ctx context.Context, cmds [][]string, runs int) ([][]float64, error) {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer null.Close()
	attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{null.Fd(), null.Fd(), 2}}
	paths := make([]string, len(cmds))
	for i, c := range cmds {
		if paths[i], err = exec.LookPath(c[0]); err != nil {
			return nil, err
		}
	}
	times := make([][]float64, len(cmds))
	for run := -10; run < runs; run++ { // 10 warm-up runs
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i, c := range cmds {
			t0 := time.Now()
			pid, err := syscall.ForkExec(paths[i], c, attr)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c[0], err)
			}
			var ws syscall.WaitStatus
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil {
				return nil, fmt.Errorf("wait %s: %w", c[0], err)
			}
			d := time.Since(t0)
			if ws.ExitStatus() != 0 {
				return nil, fmt.Errorf("%s: %v", strings.Join(c, " "), ws)
			}
			if run >= 0 {
				times[i] = append(times[i], float64(d)/1e6)
			}
		}
	}
	return times, nil
}
