package initproc

import (
	"os"
	"syscall"
	"time"
)

// hook is a lifecycle command (Options.PreStop, Options.PostStop) the init
// runs itself while it supervises, so that its status comes from the one
// reaping loop like every other child's.
type hook struct {
	name    string
	pid     int
	started time.Time
	timer   *time.Timer
	killed  bool
}

// startHook starts argv in a process group of its own, with the child's
// environment, directory and descriptors. It returns nil when argv is
// empty or cannot be started (logged).
func (s *supervisor) startHook(name string, argv []string) *hook {
	if len(argv) == 0 {
		return nil
	}
	path, err := lookPath(argv[0], s.opts.env())
	if err == nil {
		attr := &syscall.ProcAttr{Dir: s.dir, Env: s.opts.env(), Files: s.opts.files(), Sys: &syscall.SysProcAttr{Setpgid: true}}
		var pid int
		if pid, err = syscall.ForkExec(path, argv, attr); err == nil {
			h := &hook{name: name, pid: pid, started: time.Now(), timer: time.NewTimer(s.opts.hookTimeout())}
			s.log.Info("hook started", "hook", name, "pid", pid, "cmd", argv[0], "timeout", s.opts.hookTimeout())
			return h
		}
	}
	s.log.Error("hook not started", "hook", name, "cmd", argv[0], "err", err, "code", exitCodeOf(&StartError{Path: argv[0], Err: err}))
	return nil
}

// hookExited records the end of the running hook and releases the
// signals held while it ran.
func (s *supervisor) hookExited(ws syscall.WaitStatus) {
	h := s.hook
	h.timer.Stop()
	s.hook = nil
	attrs := []any{"hook", h.name, "pid", h.pid, "code", statusCode(ws), "duration", time.Since(h.started).Round(time.Microsecond).String()}
	if ws.Signaled() {
		attrs = append(attrs, "signal", SignalName(ws.Signal()))
	}
	if h.killed {
		attrs = append(attrs, "killed", true)
	}
	s.log.Info("hook ended", attrs...)
	s.release()
}

// hookTimeout is the running hook's deadline, nil when none runs.
func (s *supervisor) hookTimeout() <-chan time.Time {
	if s.hook == nil || s.hook.killed {
		return nil
	}
	return s.hook.timer.C
}

// overrun kills the running hook's process group at its deadline and
// releases the held signals without waiting for it to be reaped.
func (s *supervisor) overrun() {
	h := s.hook
	h.killed = true
	syscall.Kill(-h.pid, syscall.SIGKILL)
	s.log.Warn("hook overran its timeout; killed", "hook", h.name, "pid", h.pid, "timeout", s.opts.hookTimeout())
	s.release()
}

// beginStop starts the stop for sig: the stop timeout, then PreStop if
// there is one (sig is held until it ends), else sig is forwarded.
func (s *supervisor) beginStop(sig syscall.Signal) {
	s.startStop()
	if s.hook == nil && !s.holding {
		if s.hook = s.startHook("prestop", s.opts.PreStop); s.hook != nil {
			s.holding = true
		}
	}
	s.forwardOrHold(sig)
}

// forwardOrHold forwards sig, or holds it while PreStop runs.
func (s *supervisor) forwardOrHold(sig syscall.Signal) {
	if s.holding {
		s.held = append(s.held, sig)
		return
	}
	s.forward(sig)
}

// release forwards the signals held while PreStop ran, in order.
func (s *supervisor) release() {
	if !s.holding {
		return
	}
	s.holding = false
	held := s.held
	s.held = nil
	for _, sig := range held {
		if !s.exited {
			s.forward(sig)
		}
	}
}

// postStop runs PostStop once the child and its descendants are gone,
// reaping until it and anything it left have ended. Signals are not
// forwarded meanwhile; its status is only logged.
func (s *supervisor) postStop() {
	if s.hook = s.startHook("poststop", s.opts.PostStop); s.hook == nil {
		return
	}
	// A fresh drain, with a fresh stop timeout, for what the hook leaves.
	s.drained, s.killed, s.stopping, s.deadline = false, nil, false, nil
	for !s.reap() || s.hook != nil {
		select {
		case sig := <-s.sigs:
			if sig != syscall.SIGCHLD {
				s.log.Debug("signal not forwarded: poststop hook running", "signal", SignalName(sig.(syscall.Signal)))
			}
		case <-s.hookTimeout():
			s.overrun()
		case <-s.deadline:
			s.deadline = nil
			s.killAll()
		}
	}
}

// workDir is where hooks run: Options.Dir, else the init's directory
// before it moved to /.
func workDir(o Options) string {
	if o.Dir != "" {
		return o.Dir
	}
	wd, _ := os.Getwd()
	return wd
}
