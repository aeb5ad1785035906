// Command pid1 runs the same workloads through several PID-1 inits in one
// run (entrypoint, tini, dumb-init, catatonit, ...) and prints each figure
// with its ratio to a baseline init (tini) and the project's targets.
//
// Figures, in the order they are measured:
//
//   - size:    the init's binary on disk, and whether it is static;
//   - startup: median wall time of "INIT true" minus that of bare "true"
//     (hyperfine -N, or this program's own fork/exec/wait loop);
//   - forward: SIGTERM forwarding latency, init to child, on one long-lived
//     instance per init, samples interleaved across inits;
//   - rss:     VmRSS of the init while its child sleeps (same instances);
//   - reap:    orphan reaping throughput of a zombie burst in a real PID
//     namespace (unshare), plus a check that the init reaps orphans while its
//     child is still alive.
//
// It is also its own child: "pid1 child CMD" are the processes run under
// each init (spawn-zombies, orphans-check, forward-latency). bench/pid1.sh
// builds it and the inits, then runs it. Every workload has a deadline; a
// missed target is reported, never an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// initSpec is one init under test: Argv is the command line that goes in
// front of the child's own command ("tini -s --").
type initSpec struct {
	Name string
	Argv []string
}

// initList is the repeatable -init NAME=CMD flag.
type initList []initSpec

func (l *initList) String() string { return fmt.Sprint(*l) }

func (l *initList) Set(v string) error {
	name, cmd, ok := strings.Cut(v, "=")
	argv := strings.Fields(cmd)
	if !ok || name == "" || len(argv) == 0 {
		return fmt.Errorf("want NAME=COMMAND [ARGS], got %q", v)
	}
	*l = append(*l, initSpec{Name: name, Argv: argv})
	return nil
}

type config struct {
	inits         initList
	baseline      string
	only          map[string]bool
	startupMethod string
	startupRuns   int
	startupRounds int
	zombies       int
	reapRounds    int
	signals       int
	timeout       time.Duration
	self          string // this binary: the child run under every init
	truePath      string
	log           io.Writer // progress, on stderr
	loadStart     string
}

func (c *config) want(figure string) bool { return len(c.only) == 0 || c.only[figure] }

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{log: stderr}
	fs := flag.NewFlagSet("pid1", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pid1 -init NAME=CMD [-init ...] [flags]\n       pid1 child spawn-zombies N | orphans-check N | forward-latency")
		fs.PrintDefaults()
	}
	fs.Var(&c.inits, "init", "an init to compare, NAME=COMMAND PREFIX, e.g. 'tini=/usr/bin/tini -s --' (repeatable; words split on spaces)")
	fs.StringVar(&c.baseline, "baseline", "tini", "the init every ratio is relative to")
	only := fs.String("only", "", "comma-separated subset of figures: size,startup,forward,rss,reap (default all)")
	fs.StringVar(&c.startupMethod, "startup-method", "hyperfine", "hyperfine (hyperfine -N) or loop (this program's own fork/exec/wait loop)")
	fs.IntVar(&c.startupRuns, "startup-runs", 1000, "timed runs of each command for the startup overhead")
	fs.IntVar(&c.startupRounds, "startup-rounds", 5, "interleaved rounds the startup runs are split into")
	fs.IntVar(&c.zombies, "zombies", 20000, "zombies per reaping burst")
	fs.IntVar(&c.reapRounds, "reap-rounds", 7, "reaping bursts per init (median reported)")
	fs.IntVar(&c.signals, "signals", 1000, "SIGTERM samples per init")
	fs.DurationVar(&c.timeout, "timeout", 90*time.Second, "deadline of each workload (one startup round, one burst, one forwarding run)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 || len(c.inits) == 0 {
		fs.Usage()
		return nil, errors.New("at least one -init and no positional arguments")
	}
	if *only != "" {
		c.only = map[string]bool{}
		for _, f := range strings.Split(*only, ",") {
			c.only[strings.TrimSpace(f)] = true
		}
	}
	var err error
	if c.self, err = os.Executable(); err != nil {
		return nil, fmt.Errorf("find own binary: %w", err)
	}
	if c.truePath, err = exec.LookPath("true"); err != nil {
		return nil, fmt.Errorf("find true: %w", err)
	}
	return c, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "child" {
		return child(args[1:], stdout, stderr)
	}
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "pid1:", err)
		return 2
	}
	res := make([]*result, len(cfg.inits))
	for i, spec := range cfg.inits {
		res[i] = &result{spec: spec}
	}
	ctx := context.Background()
	start := time.Now()
	cfg.loadStart = loadAvg()
	if cfg.want("size") {
		measureSizes(res)
	}
	if cfg.want("startup") {
		measureStartup(ctx, cfg, res)
	}
	var direct *forwardResult
	if cfg.want("forward") || cfg.want("rss") {
		direct = measureForward(ctx, cfg, res)
	}
	if cfg.want("reap") {
		measureReap(ctx, cfg, res)
	}
	fmt.Fprintf(cfg.log, "measured in %s\n\n", time.Since(start).Round(time.Second))
	report(stdout, cfg, res, direct)
	return 0
}

// result holds every figure of one init; a figure that could not be
// measured holds its error instead.
type result struct {
	spec    initSpec
	size    *sizeResult
	startup *startupResult
	rss     *rssResult
	forward *forwardResult
	reap    *reapResult
}
