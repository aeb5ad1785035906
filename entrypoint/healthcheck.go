package main

import (
	"fmt"
	"github.com/entrypoint/entrypoint/internal/environ"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/health"
)

// runHealthcheck is `entrypoint healthcheck [--timeout D] [URL]`: one
// attempt, then exit 0 and "healthy: URL" on stdout, or exit 1 and
// "unhealthy: why" on stderr. With no URL it checks
// http://127.0.0.1:$PORT$ENTRYPOINT_HEALTH_PATH.
func runHealthcheck(inv *invocation) int {
	timeout := inv.cfg.HealthTimeout
	var targets []string
	args := inv.args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--timeout" && i+1 < len(args):
			i++
			a = "--timeout=" + args[i]
			fallthrough
		case strings.HasPrefix(a, "--timeout="):
			d, err := time.ParseDuration(strings.TrimPrefix(a, "--timeout="))
			if err != nil || d < 0 {
				fmt.Fprintf(inv.stderr, "entrypoint healthcheck: invalid timeout %q (want e.g. 3s)\n", a)
				return exitcode.Usage
			}
			timeout = d
		case a == "-h" || a == "--help":
			fmt.Fprintln(inv.stdout, "Usage: entrypoint healthcheck [--timeout DURATION] [URL|tcp://HOST:PORT|unix:///PATH|file:///PATH]")
			return exitcode.OK
		default:
			targets = append(targets, a)
		}
	}
	if len(targets) > 1 {
		fmt.Fprintln(inv.stderr, "entrypoint healthcheck: one target at most")
		return exitcode.Usage
	}
	target := health.DefaultTarget(inv.healthLookup())
	if len(targets) == 1 {
		target = targets[0]
	}
	t, err := health.Parse(target)
	if err != nil {
		fmt.Fprintf(inv.stderr, "unhealthy: %v\n", err)
		return exitcode.Failure
	}
	if err := t.Check(inv.ctx, timeout); err != nil {
		fmt.Fprintf(inv.stderr, "unhealthy: %s: %v\n", t, err)
		return exitcode.Failure
	}
	fmt.Fprintf(inv.stdout, "healthy: %s\n", t)
	return exitcode.OK
}

// healthLookup reads the environment, with the --health-path flag over
// ENTRYPOINT_HEALTH_PATH.
func (inv *invocation) healthLookup() func(string) (string, bool) {
	vars := environ.Map(inv.env)
	vars["ENTRYPOINT_HEALTH_PATH"] = inv.cfg.HealthPath
	return lookupIn(vars)
}
