package main

import (
	"fmt"
	"strings"
	"time"
)

// The 12-factor prelude (issue 3): its settings and flags here; the steps
// run before the child starts in prelude_steps.go; the env and healthcheck
// subcommands in envcmd.go and healthcheck.go.

// PreludeConfig holds the prelude's env twins.
type PreludeConfig struct {
	Secrets       string        `env:"ENTRYPOINT_SECRETS" envDefault:"*"`
	Require       string        `env:"ENTRYPOINT_REQUIRE"`
	Wait          string        `env:"ENTRYPOINT_WAIT"`
	WaitTimeout   time.Duration `env:"ENTRYPOINT_WAIT_TIMEOUT" envDefault:"60s"`
	WaitProgress  time.Duration `env:"ENTRYPOINT_WAIT_PROGRESS" envDefault:"5s"`
	Template      string        `env:"ENTRYPOINT_TEMPLATE"`
	User          string        `env:"ENTRYPOINT_USER"`
	Chown         string        `env:"ENTRYPOINT_CHOWN"`
	PreStart      string        `env:"ENTRYPOINT_PRESTART"`
	PreStop       string        `env:"ENTRYPOINT_PRESTOP"`
	PostStop      string        `env:"ENTRYPOINT_POSTSTOP"`
	HookTimeout   time.Duration `env:"ENTRYPOINT_HOOK_TIMEOUT"`
	HealthPath    string        `env:"ENTRYPOINT_HEALTH_PATH" envDefault:"/health"`
	HealthTimeout time.Duration `env:"ENTRYPOINT_HEALTH_TIMEOUT" envDefault:"5s"`

	hooks hookArgvs // from the Procfile, see setHooks
}

// hookArgvs are the lifecycle hooks as argvs.
type hookArgvs struct{ prestart, prestop, poststop []string }

// setHooks is where the tasks wiring hands over the Procfile's prestart,
// prestop and poststop entries (already split into words); nil leaves a
// hook unset. ENTRYPOINT_PRESTART/_PRESTOP/_POSTSTOP and their flags take
// precedence over the Procfile.
func setHooks(c *config, prestart, prestop, poststop []string) {
	c.hooks = hookArgvs{prestart: prestart, prestop: prestop, poststop: poststop}
}

// preludeFlags are the prelude's flags.
var preludeFlags = []flagDef{
	{0, "secrets", "NAMES", "ENTRYPOINT_SECRETS", "which NAME_FILE variables become NAME: * every one (default), - none, or NAME,...", setString(func(c *config) *string { return &c.Secrets })},
	{0, "require", "SPEC", "ENTRYPOINT_REQUIRE", "variables that must be set and valid: NAME[:int|bool|duration|url|/RE/],...", setString(func(c *config) *string { return &c.Require })},
	{0, "wait", "URLS", "ENTRYPOINT_WAIT", "wait for tcp://, http://, unix://, file:// targets before starting (comma-separated, repeatable)", appendList(func(c *config) *string { return &c.Wait })},
	{0, "wait-timeout", "DURATION", "ENTRYPOINT_WAIT_TIMEOUT", "deadline for every --wait target (default 60s); then exit 69", setDur(func(c *config) *time.Duration { return &c.WaitTimeout })},
	{0, "wait-progress", "DURATION", "ENTRYPOINT_WAIT_PROGRESS", "how often to log what is still pending (default 5s)", setDur(func(c *config) *time.Duration { return &c.WaitProgress })},
	{0, "template", "SRC:DST", "ENTRYPOINT_TEMPLATE", "render a Go template from the environment (comma-separated, repeatable)", appendList(func(c *config) *string { return &c.Template })},
	{'u', "user", "USER[:GROUP]", "ENTRYPOINT_USER", "run the child as this user (name or uid, group or gid), like gosu", setString(func(c *config) *string { return &c.User })},
	{0, "chown", "PATHS", "ENTRYPOINT_CHOWN", "give these paths (recursively) to --user first (comma-separated, repeatable)", appendList(func(c *config) *string { return &c.Chown })},
	{0, "prestart", "CMD", "ENTRYPOINT_PRESTART", "run CMD before the child; its failure is the exit status", setString(func(c *config) *string { return &c.PreStart })},
	{0, "prestop", "CMD", "ENTRYPOINT_PRESTOP", "run CMD when a stop begins, before the signal is forwarded", setString(func(c *config) *string { return &c.PreStop })},
	{0, "poststop", "CMD", "ENTRYPOINT_POSTSTOP", "run CMD after the child has exited; the status is kept", setString(func(c *config) *string { return &c.PostStop })},
	{0, "hook-timeout", "DURATION", "ENTRYPOINT_HOOK_TIMEOUT", "bound on each hook (default: prestart none, prestop/poststop half the stop timeout)", setDur(func(c *config) *time.Duration { return &c.HookTimeout })},
	{0, "health-path", "PATH", "ENTRYPOINT_HEALTH_PATH", "healthcheck's default path on http://127.0.0.1:$PORT (default /health)", setString(func(c *config) *string { return &c.HealthPath })},
	{0, "health-timeout", "DURATION", "ENTRYPOINT_HEALTH_TIMEOUT", "healthcheck's bound on its one attempt (default 5s)", setDur(func(c *config) *time.Duration { return &c.HealthTimeout })},
}

func setString(field func(*config) *string) func(*config, string) error {
	return func(c *config, v string) error { *field(c) = v; return nil }
}

// appendList adds v to a comma-separated list, after what the environment
// said.
func appendList(field func(*config) *string) func(*config, string) error {
	return func(c *config, v string) error {
		p := field(c)
		if *p = strings.TrimSuffix(*p, ","); *p != "" {
			*p += ","
		}
		*p += v
		return nil
	}
}

func setDur(field func(*config) *time.Duration) func(*config, string) error {
	return func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return fmt.Errorf("invalid duration %q (want e.g. 30s or 1m30s)", v)
		}
		*field(c) = d
		return nil
	}
}
