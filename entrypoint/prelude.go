package main

// The 12-factor prelude (issue 3) is wired in here: its settings, flags,
// the steps run before the child starts, and the env and healthcheck
// subcommands. Until then these are inert.

// preludeConfig holds the prelude's env twins.
type preludeConfig struct{}

// preludeFlags are the prelude's flags.
var preludeFlags []flagDef

// prepare runs the prelude before the child starts and adjusts inv.env and
// inv.opts.
func prepare(inv *invocation) error { return nil }

func runHealthcheck(inv *invocation) int { return 1 }

func runEnv(inv *invocation) int { return 1 }
