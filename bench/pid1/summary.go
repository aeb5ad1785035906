package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
)

// summary prints one Markdown table, every figure per init with its ratio
// to the baseline and PASS/MISS against the targets, ready for a README.
func summary(w io.Writer, cfg *config, res []*result, base *result) {
	b := cfg.baseline
	fmt.Fprintf(w, "== summary (Markdown)\n\n")
	fmt.Fprintf(w, "| init | startup overhead | RSS | binary | reaping (%d zombies) | SIGTERM forwarding median / p90 |\n", cfg.zombies)
	fmt.Fprintf(w, "|---|---|---|---|---|---|\n")
	fmt.Fprintf(w, "| *target* | *≤ %.2f× %s* | *≤ %d MiB* | *≤ %d MiB* | *≥ %s* | *≤ %s* |\n",
		targetStartupRatio, b, targetRSSKiB>>10, targetBinaryBytes>>20, b, b)
	for _, r := range res {
		cells := []string{"**" + r.spec.Name + "**", startupCell(r, base), rssCell(r), sizeCell(r), reapCell(r, base), forwardCell(r, base)}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	how := "hyperfine -N"
	if cfg.startupMethod == "loop" {
		how = "a fork/exec/wait4 loop"
	}
	fmt.Fprintf(w, "\nMedians from one run of `bash bench/pid1.sh` on %d CPUs: startup overhead over bare `true` by %s, %d runs; "+
		"RSS is VmRSS while the child sleeps; reaping is a burst of zombies in a PID namespace, %d bursts; "+
		"forwarding is kill(init) to the child's receipt, %d samples. Ratios are to %s in the same run.\n",
		runtime.NumCPU(), how, cfg.startupRuns, cfg.reapRounds, cfg.signals, b)
}

func withRatio(v string, val, bv float64, ok bool, pass bool, judged bool) string {
	s := v
	if ok {
		s += " (" + ratio(val, bv, true) + ")"
	}
	if judged {
		s += " " + mark(pass)
	}
	return s
}

func startupCell(r, base *result) string {
	s := r.startup
	if s == nil {
		return "—"
	}
	if s.err != nil {
		return "error"
	}
	ok := base != nil && base.startup != nil && base.startup.err == nil
	var bv float64
	if ok {
		bv = base.startup.overheadMs
	}
	return withRatio(fmt.Sprintf("%.2f ms", s.overheadMs), s.overheadMs, bv, ok, s.overheadMs <= targetStartupRatio*bv, ok)
}

func rssCell(r *result) string {
	s := r.rss
	if s == nil {
		return "—"
	}
	if s.err != nil {
		return "error"
	}
	return fmt.Sprintf("%.2f MiB %s", mib(float64(s.rssKiB)), mark(s.rssKiB <= targetRSSKiB))
}

func sizeCell(r *result) string {
	s := r.size
	if s == nil {
		return "—"
	}
	if s.err != nil {
		return "error"
	}
	linkage := "static"
	if !s.static {
		linkage = "dynamic"
	}
	return fmt.Sprintf("%.2f MiB %s %s", float64(s.bytes)/(1<<20), linkage, mark(s.bytes <= targetBinaryBytes))
}

func reapCell(r, base *result) string {
	s := r.reap
	if s == nil {
		return "—"
	}
	if s.err != nil {
		return "error"
	}
	ok := base != nil && base.reap != nil && base.reap.err == nil
	var bv float64
	if ok {
		bv = base.reap.median
	}
	v := fmt.Sprintf("%.0fk/s", s.median/1e3)
	if s.left > 0 {
		v += fmt.Sprintf(", %d orphans LEFT", s.left)
	}
	return withRatio(v, s.median, bv, ok, s.median >= bv && s.left == 0, ok)
}

func forwardCell(r, base *result) string {
	s := r.forward
	if s == nil {
		return "—"
	}
	if s.err != nil {
		return "error"
	}
	ok := base != nil && base.forward != nil && base.forward.err == nil
	var bv float64
	if ok {
		bv = base.forward.median
	}
	return withRatio(fmt.Sprintf("%.0f / %.0f µs", s.median, s.p90), s.median, bv, ok, s.median <= bv, ok)
}
