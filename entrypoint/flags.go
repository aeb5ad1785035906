package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/entrypoint/entrypoint/initproc"
)

// config is the init's own configuration: env twins first (parsed with
// caarlos0/env from the injected environment), then flags.
type config struct {
	Subreaper   bool          `env:"ENTRYPOINT_SUBREAPER" envDefault:"true"`
	KillGroup   bool          `env:"ENTRYPOINT_KILL_GROUP"`
	Setsid      bool          `env:"ENTRYPOINT_SETSID"`
	Rewrite     []string      `env:"ENTRYPOINT_REWRITE"`
	StopTimeout time.Duration `env:"ENTRYPOINT_STOP_TIMEOUT" envDefault:"10s"`
	ExitZero    []int         `env:"ENTRYPOINT_REMAP_EXIT"`
	PdeathSig   string        `env:"ENTRYPOINT_PDEATH_SIGNAL"`
	WarnOnReap  bool          `env:"ENTRYPOINT_WARN_ON_REAP"`
	LogLevel    string        `env:"ENTRYPOINT_LOG_LEVEL" envDefault:"info"`
	LogFormat   string        `env:"ENTRYPOINT_LOG_FORMAT" envDefault:"auto"`

	// Embedded and exported, so that caarlos0/env parses them with the
	// rest: it cannot set the fields of an unexported embedded struct.
	PreludeConfig // prelude.go: the 12-factor prelude's settings
	TaskConfig    // task.go: the standard tasks' settings

	help, version bool
	verbosity     int  // -v count, on top of LogLevel
	dashdash      bool // the command came after "--": never a task or subcommand
}

// flagDef is one command-line flag: its spellings, its env twin (for the
// usage text) and how it sets the configuration.
type flagDef struct {
	short byte
	long  string
	arg   string // "" for a switch
	env   string
	help  string
	set   func(c *config, v string) error
}

func on(f func(*config)) func(*config, string) error {
	return func(c *config, _ string) error { f(c); return nil }
}

// entrypointFlags are every flag of the entrypoint personality: the init's,
// the prelude's and the tasks'.
var entrypointFlags = concat(initFlags, preludeFlags, taskFlags)

func concat(lists ...[]flagDef) []flagDef {
	var all []flagDef
	for _, l := range lists {
		all = append(all, l...)
	}
	return all
}

// initFlags are the PID-1 flags, shared with tini and dumb-init.
var initFlags = []flagDef{
	{'s', "subreaper", "", "ENTRYPOINT_SUBREAPER, TINI_SUBREAPER", "register as a child subreaper when not PID 1 (entrypoint's default; tini's -s)", on(func(c *config) { c.Subreaper = true })},
	{'g', "kill-group", "", "ENTRYPOINT_KILL_GROUP, TINI_KILL_PROCESS_GROUP", "forward signals to the child's whole process group", on(func(c *config) { c.KillGroup = true })},
	{0, "setsid", "", "ENTRYPOINT_SETSID, DUMB_INIT_SETSID", "run the child in a new session and signal its group (dumb-init's mode)", on(func(c *config) { c.Setsid = true })},
	{'c', "single-child", "", "", "no new session: signal the child alone (dumb-init -c)", on(func(c *config) { c.Setsid = false })},
	{'r', "rewrite", "S:R", "ENTRYPOINT_REWRITE", "forward signal S as R; R=0 drops S (repeatable)", func(c *config, v string) error { c.Rewrite = append(c.Rewrite, v); return nil }},
	{'t', "stop-timeout", "DURATION", "ENTRYPOINT_STOP_TIMEOUT", "grace period before SIGKILL on stop (default 10s)", setDuration},
	{'e', "remap-exit", "CODE", "ENTRYPOINT_REMAP_EXIT", "report the child's exit code CODE as 0 (repeatable)", addExitZero},
	{'p', "pdeath-signal", "SIG", "ENTRYPOINT_PDEATH_SIGNAL", "get SIG when the init's parent dies, and forward it", func(c *config, v string) error { c.PdeathSig = v; return nil }},
	{'w', "warn-on-reap", "", "ENTRYPOINT_WARN_ON_REAP", "log every reaped orphan as a warning", on(func(c *config) { c.WarnOnReap = true })},
	{'v', "verbose", "", "ENTRYPOINT_LOG_LEVEL, TINI_VERBOSITY", "more log detail (repeatable); levels: debug, info, warn, error", on(func(c *config) { c.verbosity++ })},
	{0, "log-level", "LEVEL", "ENTRYPOINT_LOG_LEVEL", "debug, info (default), warn or error", func(c *config, v string) error { c.LogLevel = v; return nil }},
	{0, "log-format", "FORMAT", "ENTRYPOINT_LOG_FORMAT", "auto (default: text on a terminal unless NO_COLOR, else JSON), json or text", func(c *config, v string) error { c.LogFormat = v; return nil }},
	{'h', "help", "", "", "show this help", on(func(c *config) { c.help = true })},
	{'V', "version", "", "", "show the version", on(func(c *config) { c.version = true })},
}

func setDuration(c *config, v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, nerr := strconv.Atoi(v); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
	}
	if err != nil || d <= 0 {
		return fmt.Errorf("invalid duration %q (want e.g. 10s or 1m30s)", v)
	}
	c.StopTimeout = d
	return nil
}

func addExitZero(c *config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 255 {
		return fmt.Errorf("invalid exit code %q (want 0..255)", v)
	}
	c.ExitZero = append(c.ExitZero, n)
	return nil
}

// parseFlags reads flags getopt-style (combined short switches, values
// attached or separate, --long and --long=value) up to the first operand or
// "--", as tini and dumb-init do, and returns the operands.
func parseFlags(defs []flagDef, c *config, args []string) ([]string, error) {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--":
			c.dashdash = true
			return args[1:], nil
		case strings.HasPrefix(a, "--"):
			rest, err := parseLong(defs, c, a[2:], args[1:])
			if err != nil {
				return nil, err
			}
			args = rest
		case len(a) > 1 && a[0] == '-':
			rest, err := parseShort(defs, c, a[1:], args[1:])
			if err != nil {
				return nil, err
			}
			args = rest
		default:
			return args, nil
		}
	}
	return nil, nil
}

func parseLong(defs []flagDef, c *config, a string, rest []string) ([]string, error) {
	name, value, hasValue := strings.Cut(a, "=")
	for _, d := range defs {
		if d.long != name {
			continue
		}
		if d.arg == "" {
			if hasValue {
				return nil, fmt.Errorf("flag --%s takes no value", name)
			}
			return rest, d.set(c, "")
		}
		if !hasValue {
			if len(rest) == 0 {
				return nil, fmt.Errorf("flag --%s needs a value (%s)", name, d.arg)
			}
			value, rest = rest[0], rest[1:]
		}
		if err := d.set(c, value); err != nil {
			return nil, fmt.Errorf("flag --%s: %w", name, err)
		}
		return rest, nil
	}
	return nil, fmt.Errorf("unknown flag --%s", name)
}

func parseShort(defs []flagDef, c *config, a string, rest []string) ([]string, error) {
	for i := 0; i < len(a); i++ {
		d, ok := findShort(defs, a[i])
		if !ok {
			return nil, fmt.Errorf("unknown flag -%c", a[i])
		}
		if d.arg == "" {
			if err := d.set(c, ""); err != nil {
				return nil, err
			}
			continue
		}
		value := a[i+1:]
		if value == "" {
			if len(rest) == 0 {
				return nil, fmt.Errorf("flag -%c needs a value (%s)", a[i], d.arg)
			}
			value, rest = rest[0], rest[1:]
		}
		if err := d.set(c, value); err != nil {
			return nil, fmt.Errorf("flag -%c: %w", a[i], err)
		}
		return rest, nil
	}
	return rest, nil
}

func findShort(defs []flagDef, b byte) (flagDef, bool) {
	for _, d := range defs {
		if d.short == b && b != 0 {
			return d, true
		}
	}
	return flagDef{}, false
}

// options turns the configuration into initproc's.
func (c *config) options() (initproc.Options, error) {
	o := initproc.Options{
		Subreaper: c.Subreaper, KillGroup: c.KillGroup, Setsid: c.Setsid,
		StopTimeout: c.StopTimeout, ExitZero: c.ExitZero, WarnOnReap: c.WarnOnReap,
		Dedicated: true,
	}
	for _, code := range c.ExitZero {
		if code < 0 || code > 255 {
			return o, fmt.Errorf("ENTRYPOINT_REMAP_EXIT: invalid exit code %d (want 0..255)", code)
		}
	}
	if c.PdeathSig != "" {
		sig, err := initproc.ParseSignal(c.PdeathSig)
		if err != nil {
			return o, fmt.Errorf("parent-death signal: %w", err)
		}
		o.ParentDeathSignal = sig
	}
	for _, spec := range c.Rewrite {
		if spec == "" {
			continue
		}
		from, to, err := parseRewrite(spec)
		if err != nil {
			return o, err
		}
		if o.Rewrite == nil {
			o.Rewrite = map[syscall.Signal]syscall.Signal{}
		}
		o.Rewrite[from] = to
	}
	return o, nil
}

// parseRewrite reads dumb-init's S:R, with numbers or names; R may be 0.
func parseRewrite(spec string) (from, to syscall.Signal, err error) {
	s, r, ok := strings.Cut(spec, ":")
	if !ok {
		return 0, 0, fmt.Errorf("invalid rewrite %q (want S:R, e.g. 15:3 or TERM:QUIT; R=0 drops S)", spec)
	}
	if from, err = initproc.ParseSignal(s); err != nil {
		return 0, 0, fmt.Errorf("invalid rewrite %q: %w", spec, err)
	}
	if r == "0" {
		return from, 0, nil
	}
	if to, err = initproc.ParseSignal(r); err != nil {
		return 0, 0, fmt.Errorf("invalid rewrite %q: %w", spec, err)
	}
	return from, to, nil
}
