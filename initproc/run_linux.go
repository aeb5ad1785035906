package initproc

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Run starts argv as the child and owns it to the end: it forwards
// signals, reaps every process that becomes its child, stops everything
// that is left when the child exits, and returns the child's exit status
// (0..255, 128+N for a death by signal N, after Options.ExitZero).
//
// Cancelling ctx asks the child to stop as SIGTERM would. A child that
// cannot be started yields a *StartError (exit status 126 or 127). Run
// returns only when no process it started or inherited is left.
func Run(ctx context.Context, argv []string, opts Options) (int, error) {
	if len(argv) == 0 {
		return 0, errors.New("initproc: no command to run")
	}
	s := &supervisor{opts: opts, log: opts.logger(), sigs: make(chan os.Signal, 256)}
	return s.run(ctx, argv)
}

// supervisor is the state of one Run; only Run's goroutine touches it.
type supervisor struct {
	opts Options
	log  *slog.Logger
	sigs chan os.Signal

	pid      int       // the main child
	started  time.Time // when it started
	exited   bool      // the main child has been reaped
	code     int       // its exit status
	stopping bool      // a stop was asked for, or the child exited
	timer    *time.Timer
	deadline <-chan time.Time        // the stop timeout, once started
	drained  bool                    // descendants were asked to stop
	killed   map[int]bool            // descendants killed at the deadline
	ignore   map[syscall.Signal]bool // signals the kernel sends us once, not for the child

	dir     string           // where hooks run
	hook    *hook            // the lifecycle hook running, if any
	holding bool             // signals are held while PreStop runs
	held    []syscall.Signal // the signals held, in order
}

func (s *supervisor) run(ctx context.Context, argv []string) (int, error) {
	s.configure()
	signal.Notify(s.sigs, s.early()...)
	if !s.opts.Dedicated {
		defer signal.Stop(s.sigs)
	}

	tty := controllingTTY()
	if tty && s.opts.Setsid && releaseTTY() {
		s.ignore = map[syscall.Signal]bool{syscall.SIGHUP: true, syscall.SIGCONT: true}
	}
	s.dir = workDir(s.opts)
	pid, err := spawn(argv, s.opts, tty, s.log)
	if err != nil {
		return exitCodeOf(err), err
	}
	s.pid, s.started = pid, time.Now()
	s.log.Info("started", "pid", pid, "cmd", argv[0])
	s.log.Debug("arguments", "argv", argv)
	ignoreReserved()
	if s.opts.Dedicated {
		unpin()
	}

	late := s.catchLate()
	defer late()
	s.timer = time.NewTimer(s.opts.stopTimeout())
	s.timer.Stop()
	defer s.timer.Stop()

	done := ctx.Done()
	for !s.reap() {
		select {
		case sig := <-s.sigs:
			s.handle(sig.(syscall.Signal))
		case <-done:
			done = nil
			s.log.Info("stopping: context cancelled", "timeout", s.opts.stopTimeout().String())
			if s.stopping {
				s.forwardOrHold(syscall.SIGTERM)
			} else {
				s.beginStop(syscall.SIGTERM)
			}
		case <-s.hookTimeout():
			s.overrun()
		case <-s.deadline:
			s.deadline = nil
			s.killAll()
		}
	}
	if len(s.opts.PostStop) > 0 {
		s.postStop()
	}
	return s.opts.exitCode(s.code), nil
}

func exitCodeOf(err error) int {
	var se *StartError
	if errors.As(err, &se) {
		return se.ExitCode()
	}
	return 1
}

// configure sets the process-wide behaviour the options ask for.
func (s *supervisor) configure() {
	if sig := s.opts.ParentDeathSignal; sig != 0 {
		if err := prctl(syscall.PR_SET_PDEATHSIG, uintptr(sig)); err != nil {
			s.log.Warn("cannot set the parent-death signal", "signal", SignalName(sig), "err", err)
		}
	}
	if os.Getpid() == 1 {
		return
	}
	if s.opts.Subreaper {
		if err := prctl(prSetChildSubreaper, 1); err != nil {
			s.log.Warn("cannot become a child subreaper; orphans will not be reaped", "err", err)
		}
		return
	}
	s.log.Warn("not PID 1 and not a subreaper: orphaned descendants escape and zombies are not reaped; use -s (ENTRYPOINT_SUBREAPER=1)")
}

const prSetChildSubreaper = 36

func prctl(option int, arg uintptr) error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, uintptr(option), arg, 0); errno != 0 {
		return errno
	}
	return nil
}

// early lists the signals caught before the child starts.
func (s *supervisor) early() []os.Signal {
	sigs := make([]os.Signal, 0, len(earlySignals)+1)
	for _, sig := range earlySignals {
		sigs = append(sigs, sig)
	}
	if s.opts.ParentDeathSignal != 0 {
		sigs = append(sigs, s.opts.ParentDeathSignal)
	}
	return sigs
}

// lateCatchDelay is how long the child runs before the remaining signals
// are caught. A child that ends sooner (a health probe, `true`) never pays
// for them; one that lives longer has not installed its own handlers yet
// at that age, so forwarding a signal then would only kill it.
const lateCatchDelay = 2 * time.Millisecond

// catchLate catches the remaining signals in a goroutine once the child
// has run for lateCatchDelay. The returned function ends that goroutine,
// or the wait for it, and waits until it has ended.
func (s *supervisor) catchLate() (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case <-quit:
			return
		case <-time.After(lateCatchDelay):
		}
		for _, sig := range lateSignals(earlySignals) {
			select {
			case <-quit:
				return
			default:
				signal.Notify(s.sigs, sig)
			}
		}
		s.log.Debug("all signals caught")
	}()
	return func() { close(quit); <-finished }
}

// handle acts on one received signal.
func (s *supervisor) handle(sig syscall.Signal) {
	if sig == syscall.SIGCHLD {
		return // the loop reaps on every wake-up
	}
	if s.ignore[sig] {
		delete(s.ignore, sig)
		s.log.Debug("ignored the terminal's hangup", "signal", SignalName(sig))
		return
	}
	if !forwardable(sig) || s.exited {
		s.log.Debug("signal not forwarded", "signal", SignalName(sig))
		return
	}
	if (sig == syscall.SIGTERM || sig == syscall.SIGINT) && !s.stopping {
		s.log.Info("stopping", "signal", SignalName(sig), "timeout", s.opts.stopTimeout().String())
		s.beginStop(sig)
		return
	}
	s.forwardOrHold(sig)
	if s.opts.Setsid && os.Getpid() != 1 &&
		(sig == syscall.SIGTSTP || sig == syscall.SIGTTIN || sig == syscall.SIGTTOU) {
		syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	}
}

// forward delivers sig, rewritten, to the child or its process group.
func (s *supervisor) forward(sig syscall.Signal) {
	to := sig
	if r, ok := s.opts.Rewrite[sig]; ok {
		to = r
	}
	if to == 0 {
		s.log.Debug("signal dropped by rewrite", "signal", SignalName(sig))
		return
	}
	target := s.pid
	if s.opts.KillGroup || s.opts.Setsid {
		target = -s.pid
	}
	err := syscall.Kill(target, to)
	s.log.Debug("signal forwarded", "signal", SignalName(sig), "sent", SignalName(to), "to", target, "err", err)
}

// startStop starts the grace period once.
func (s *supervisor) startStop() {
	if s.stopping {
		return
	}
	s.stopping = true
	s.timer.Reset(s.opts.stopTimeout())
	s.deadline = s.timer.C
}
