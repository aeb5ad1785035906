package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
)

// The project's targets for entrypoint, shown beside every init's figures.
const (
	targetStartupRatio = 1.25            // startup overhead ≤ 1.25× the baseline's
	targetRSSKiB       = 3 * 1024        // RSS ≤ 3 MiB
	targetBinaryBytes  = 4 * 1024 * 1024 // binary ≤ 4 MiB
)

func report(w io.Writer, cfg *config, res []*result, direct *forwardResult) {
	var base *result
	for _, r := range res {
		if r.spec.Name == cfg.baseline {
			base = r
		}
	}
	osr, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	fmt.Fprintf(w, "pid1 benchmark: %d CPUs, Linux %s, ratios to %s (same run)\n", runtime.NumCPU(), strings.TrimSpace(string(osr)), cfg.baseline)
	fmt.Fprintf(w, "load average: %s at start, %s at end (other load on the machine widens every spread)\n\n", cfg.loadStart, loadAvg())
	for _, r := range res {
		fmt.Fprintf(w, "  %-12s %s\n", r.spec.Name, strings.Join(r.spec.Argv, " "))
	}
	fmt.Fprintln(w)
	if cfg.want("size") {
		sizeTable(w, cfg, res, base)
	}
	if cfg.want("startup") {
		startupTable(w, cfg, res, base)
	}
	if cfg.want("rss") {
		rssTable(w, cfg, res, base)
	}
	if cfg.want("reap") {
		reapTable(w, cfg, res, base)
	}
	if cfg.want("forward") {
		forwardTable(w, cfg, res, base, direct)
	}
	summary(w, cfg, res, base)
}

func table(w io.Writer, title string, header ...string) *tabwriter.Writer {
	fmt.Fprintf(w, "== %s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	return tw
}

func endTable(w io.Writer, tw *tabwriter.Writer) {
	tw.Flush()
	fmt.Fprintln(w)
}

// ratio formats v/b, "—" when either is missing.
func ratio(v, b float64, ok bool) string {
	if !ok || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", v/b)
}

func mark(pass bool) string {
	if pass {
		return "PASS"
	}
	return "MISS"
}

func mib(kib float64) float64 { return kib / 1024 }

func sizeTable(w io.Writer, cfg *config, res []*result, base *result) {
	tw := table(w, fmt.Sprintf("binary size on disk (target ≤ %d MiB)", targetBinaryBytes>>20), "init", "bytes", "MiB", "static", "×"+cfg.baseline, "≤ 4 MiB", "path")
	okBase := base != nil && base.size != nil && base.size.err == nil
	for _, r := range res {
		s := r.size
		if s.err != nil {
			fmt.Fprintf(tw, "%s\terror: %v\n", r.spec.Name, s.err)
			continue
		}
		linkage := "static"
		if !s.static {
			linkage = "dynamic (+libc)"
		}
		var bb float64
		if okBase {
			bb = float64(base.size.bytes)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%s\t%s\t%s\t%s\n", r.spec.Name, s.bytes, float64(s.bytes)/(1<<20), linkage,
			ratio(float64(s.bytes), bb, okBase), mark(s.bytes <= targetBinaryBytes), s.path)
	}
	endTable(w, tw)
}

func startupTable(w io.Writer, cfg *config, res []*result, base *result) {
	how := "hyperfine -N"
	if cfg.startupMethod == "loop" {
		how = "own fork/exec/wait4 loop"
	}
	title := fmt.Sprintf("startup overhead: median wall time of `INIT true` minus bare `true` (%s, %d runs each in %d interleaved rounds; target ≤ %.2f× %s)",
		how, cfg.startupRuns, cfg.startupRounds, targetStartupRatio, cfg.baseline)
	tw := table(w, title, "init", "INIT true (ms)", "overhead (ms)", "×"+cfg.baseline, fmt.Sprintf("≤ %.2f× %s", targetStartupRatio, cfg.baseline))
	okBase := base != nil && base.startup != nil && base.startup.err == nil
	var bo float64
	printedBare := false
	for _, r := range res {
		s := r.startup
		if s.err != nil {
			fmt.Fprintf(tw, "%s\terror: %v\n", r.spec.Name, s.err)
			continue
		}
		if !printedBare {
			fmt.Fprintf(tw, "(bare true)\t%.3f\t\t\t\n", s.bareMs)
			printedBare = true
		}
		t := "—"
		if okBase {
			bo = base.startup.overheadMs
			t = mark(s.overheadMs <= targetStartupRatio*bo)
		}
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%s\t%s\n", r.spec.Name, s.medianMs, s.overheadMs, ratio(s.overheadMs, bo, okBase), t)
	}
	endTable(w, tw)
}

func rssTable(w io.Writer, cfg *config, res []*result, base *result) {
	title := fmt.Sprintf("RSS of the init while its child sleeps, from /proc/PID/status (target ≤ %d MiB)", targetRSSKiB>>10)
	tw := table(w, title, "init", "VmRSS (KiB)", "MiB", "VmHWM (KiB)", "threads", fmt.Sprintf("after %d SIGTERMs (KiB)", cfg.signals), "×"+cfg.baseline, "≤ 3 MiB")
	okBase := base != nil && base.rss != nil && base.rss.err == nil
	var bk float64
	if okBase {
		bk = float64(base.rss.rssKiB)
	}
	for _, r := range res {
		s := r.rss
		if s.err != nil {
			fmt.Fprintf(tw, "%s\terror: %v\n", r.spec.Name, s.err)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%d\t%d\t%d\t%s\t%s\n", r.spec.Name, s.rssKiB, mib(float64(s.rssKiB)), s.hwmKiB, s.threads, s.afterKiB,
			ratio(float64(s.rssKiB), bk, okBase), mark(s.rssKiB <= targetRSSKiB))
	}
	endTable(w, tw)
}

func reapTable(w io.Writer, cfg *config, res []*result, base *result) {
	title := fmt.Sprintf("orphan reaping: %d zombies at once, init as PID 1 of `unshare --pid --fork --mount-proc`; reaps/s = N / (child's last timestamp → init exited 0), median of %d (target ≥ %s)",
		cfg.zombies, cfg.reapRounds, cfg.baseline)
	tw := table(w, title, "init", "reaps/s", "burst (ms)", "min..max reaps/s", "×"+cfg.baseline, "≥ "+cfg.baseline, "orphans left, child alive")
	okBase := base != nil && base.reap != nil && base.reap.err == nil
	for _, r := range res {
		s := r.reap
		if s.err != nil {
			fmt.Fprintf(tw, "%s\terror: %v\n", r.spec.Name, s.err)
			continue
		}
		t, bm := "—", 0.0
		if okBase {
			bm = base.reap.median
			t = mark(s.median >= bm)
		}
		left := fmt.Sprintf("%d (polled /proc: drained within %.0f ms)", s.left, s.drainMs)
		if s.left > 0 {
			left = fmt.Sprintf("%d LEFT after %.0f ms", s.left, s.drainMs)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%.0f..%.0f\t%s\t%s\t%s %s\n", r.spec.Name, s.median, s.medMs, percentile(s.rates, 0), percentile(s.rates, 100),
			ratio(s.median, bm, okBase), t, left, s.note)
	}
	endTable(w, tw)
}

func forwardTable(w io.Writer, cfg *config, res []*result, base *result, direct *forwardResult) {
	title := fmt.Sprintf("SIGTERM forwarding latency: kill(init) → child's receipt, CLOCK_MONOTONIC, %d samples per init, round-robin across running instances (target median ≤ %s)",
		cfg.signals, cfg.baseline)
	tw := table(w, title, "init", "median (µs)", "p90 (µs)", "median over direct (µs)", "samples", "×"+cfg.baseline, "≤ "+cfg.baseline, "note")
	okBase := base != nil && base.forward != nil && base.forward.err == nil
	var floor float64
	if direct != nil && direct.err == nil {
		floor = direct.median
		fmt.Fprintf(tw, "(direct, no init)\t%.1f\t%.1f\t\t%d\t\t\t%s\n", direct.median, direct.p90, len(direct.samples), "the child's own signal delivery")
	}
	for _, r := range res {
		s := r.forward
		if s.err != nil {
			fmt.Fprintf(tw, "%s\terror: %v\n", r.spec.Name, s.err)
			continue
		}
		t, bm := "—", 0.0
		if okBase {
			bm = base.forward.median
			t = mark(s.median <= bm)
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.1f\t%d\t%s\t%s\t%s\n", r.spec.Name, s.median, s.p90, s.median-floor, len(s.samples),
			ratio(s.median, bm, okBase), t, strings.TrimSpace(s.partial+" "+s.exitNote))
	}
	endTable(w, tw)
}

// loadAvg is the 1-, 5- and 15-minute load average.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}
