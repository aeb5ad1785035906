package initproc

import (
	"io"
	"log/slog"
	"os"
	"syscall"
	"time"
)

// DefaultStopTimeout is the grace period between SIGTERM and SIGKILL when
// Options.StopTimeout is zero. It matches `docker stop`'s own default, so
// set it a little below the orchestrator's deadline (docker's --stop-timeout,
// Kubernetes' terminationGracePeriodSeconds, 30 s by default) to have the
// init, not the runtime, do the killing and name what it killed.
const DefaultStopTimeout = 10 * time.Second

// Options says how Run starts and supervises the child. The zero value
// behaves like tini without flags: signals go to the child alone, the child
// gets its own process group (and the terminal, when stdin is one), and the
// stop timeout is DefaultStopTimeout.
type Options struct {
	// Logger receives the init's own events; nil discards them.
	Logger *slog.Logger
	// Env is the child's environment; nil means the init's own.
	Env []string
	// Dir is the child's working directory; "" means the init's.
	Dir string
	// Stdin, Stdout and Stderr are handed to the child as descriptors 0, 1
	// and 2; nil means the init's own. The child writes to them directly.
	Stdin, Stdout, Stderr *os.File

	// Subreaper registers the init as a child subreaper when it is not
	// PID 1, so orphaned descendants are reparented to it (tini -s).
	Subreaper bool
	// KillGroup delivers forwarded signals to the child's whole process
	// group instead of the child alone (tini -g).
	KillGroup bool
	// Setsid starts the child in a new session, gives it the terminal and
	// delivers forwarded signals to its whole group (dumb-init's default).
	// SIGTSTP, SIGTTIN and SIGTTOU are forwarded and then stop the init
	// itself, so a shell's job control sees it suspended.
	Setsid bool
	// Rewrite maps a received signal to the one forwarded; mapping to 0
	// drops it (dumb-init -r). SIGTERM and SIGINT still start the stop
	// timeout whatever they are rewritten to.
	Rewrite map[syscall.Signal]syscall.Signal
	// StopTimeout is the grace period between asking processes to stop and
	// killing them; zero means DefaultStopTimeout.
	StopTimeout time.Duration
	// ExitZero lists child exit statuses that Run reports as 0 (tini -e).
	ExitZero []int
	// ParentDeathSignal, when set, is delivered to the init if its parent
	// dies, and forwarded like any other signal (tini -p).
	ParentDeathSignal syscall.Signal
	// WarnOnReap logs every reaped orphan at warning level (tini -w).
	WarnOnReap bool
	// Dedicated says the process exists only to be this init, as in the
	// entrypoint binary. Once the child has started, the init moves its
	// working directory to / and closes the descriptors above 2 that it
	// inherited without close-on-exec (the child keeps its own copies), so
	// it pins no mount and holds no socket open; and when Run returns it
	// leaves signal handling as it is, since the process exits next
	// (restoring it costs a round trip per signal). It changes
	// process-wide state: leave it false when Run is one part of a program.
	Dedicated bool

	// Credential, when set, is who the child runs as (uid, gid and
	// supplementary groups). The child, never the init, then also runs
	// with no_new_privs set and an empty capability bounding set, so it
	// keeps no capability and cannot gain one back (setuid binaries, file
	// capabilities). The init must be root, or hold CAP_SETUID,
	// CAP_SETGID and CAP_SETPCAP.
	Credential *syscall.Credential

	// PreStop is a command (argv) the init runs when a stop begins
	// (SIGTERM, SIGINT or ctx ending), before the signal is forwarded: a
	// chance to deregister from a load balancer. Signals arriving while it
	// runs are held and forwarded, in order, once it has ended or been
	// killed at its timeout. The stop timeout runs meanwhile.
	PreStop []string
	// PostStop is a command the init runs after the child and every
	// descendant have ended, before Run returns; its status never changes
	// Run's.
	PostStop []string
	// HookTimeout bounds each of PreStop and PostStop; zero means half the
	// stop timeout. A hook that overruns is killed (its whole process
	// group) and logged by name.
	HookTimeout time.Duration
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (o Options) stopTimeout() time.Duration {
	if o.StopTimeout > 0 {
		return o.StopTimeout
	}
	return DefaultStopTimeout
}

func (o Options) hookTimeout() time.Duration {
	if o.HookTimeout > 0 {
		return min(o.HookTimeout, o.stopTimeout())
	}
	return o.stopTimeout() / 2
}

func (o Options) files() []uintptr {
	fd := func(f, def *os.File) uintptr {
		if f == nil {
			f = def
		}
		return f.Fd()
	}
	return []uintptr{fd(o.Stdin, os.Stdin), fd(o.Stdout, os.Stdout), fd(o.Stderr, os.Stderr)}
}

func (o Options) env() []string {
	if o.Env != nil {
		return o.Env
	}
	return os.Environ()
}

// exitCode applies ExitZero to a status.
func (o Options) exitCode(code int) int {
	for _, z := range o.ExitZero {
		if z == code {
			return 0
		}
	}
	return code
}
