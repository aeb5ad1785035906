package initproc

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// reap collects every child that has exited, without blocking, until
// wait4 says none is ready (0) or none is left (ECHILD). It reports
// whether Run is done: the main child has exited and no child is left.
func (s *supervisor) reap() (done bool) {
	for {
		pid, ws, comm, err := s.waitOne()
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.ECHILD):
			return s.exited
		case err != nil:
			s.log.Error("wait4 failed", "err", err)
			return s.exited
		case pid == 0:
			if s.exited && s.hook == nil {
				s.drain()
			}
			return false
		case pid == s.pid:
			s.mainExited(ws)
		case s.hook != nil && pid == s.hook.pid:
			s.hookExited(ws)
		default:
			s.orphan(pid, comm, ws)
		}
	}
}

// waitOne reaps one exited child. When orphans are logged it first peeks
// (waitid with WNOWAIT) so the zombie's name can still be read.
func (s *supervisor) waitOne() (pid int, ws syscall.WaitStatus, comm string, err error) {
	if s.log.Enabled(context.Background(), s.reapLevel()) {
		var info [128]byte // siginfo_t; si_pid is at offset 16 on 64-bit Linux
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, 0 /* P_ALL */, 0, uintptr(unsafe.Pointer(&info[0])),
			syscall.WEXITED|syscall.WNOHANG|syscall.WALL|0x01000000 /* WNOWAIT */, 0, 0)
		if errno != 0 {
			return 0, 0, "", errno
		}
		peek := int(*(*int32)(unsafe.Pointer(&info[16])))
		if peek == 0 {
			return 0, 0, "", nil
		}
		comm = commOf(peek)
		pid, err = wait4(peek, &ws)
		return pid, ws, comm, err
	}
	pid, err = wait4(-1, &ws)
	return pid, ws, "", err
}

// wait4 is wait4(pid, WNOHANG|__WALL). It never blocks, so it is a raw
// system call: no hand-off of the scheduler's processor per zombie.
func wait4(pid int, ws *syscall.WaitStatus) (int, error) {
	var status int32
	r, _, errno := syscall.RawSyscall6(syscall.SYS_WAIT4, uintptr(pid), uintptr(unsafe.Pointer(&status)),
		uintptr(syscall.WNOHANG|syscall.WALL), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	*ws = syscall.WaitStatus(status)
	return int(r), nil
}

func (s *supervisor) reapLevel() slog.Level {
	if s.opts.WarnOnReap {
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

func (s *supervisor) mainExited(ws syscall.WaitStatus) {
	s.exited, s.code = true, statusCode(ws)
	attrs := []any{"pid", s.pid, "code", s.code, "duration", time.Since(s.started).Round(time.Microsecond).String()}
	if ws.Signaled() {
		attrs = append(attrs, "signal", SignalName(ws.Signal()))
	}
	s.log.Info("exited", attrs...)
}

func (s *supervisor) orphan(pid int, comm string, ws syscall.WaitStatus) {
	s.log.Log(context.Background(), s.reapLevel(), "reaped orphan", "pid", pid, "cmd", comm, "code", statusCode(ws))
}

// drain asks every remaining descendant to stop once (SIGTERM, then
// SIGCONT for the stopped ones) and starts the stop timeout; after the
// deadline it kills again whatever is still there.
func (s *supervisor) drain() {
	if s.killed != nil {
		s.kill(syscall.SIGKILL)
		return
	}
	if s.drained {
		return
	}
	s.drained = true
	n := s.kill(syscall.SIGTERM)
	s.kill(syscall.SIGCONT)
	if n > 0 {
		s.log.Info("stopping the processes the child left", "count", n, "timeout", s.opts.stopTimeout().String())
	}
	s.startStop()
}

// killAll kills everything left at the stop deadline.
func (s *supervisor) killAll() {
	if s.killed == nil {
		s.killed = map[int]bool{}
	}
	s.kill(syscall.SIGKILL)
}

// kill sends sig to every live descendant and returns how many it
// reached. SIGKILLs are logged, naming each process once.
func (s *supervisor) kill(sig syscall.Signal) int {
	procs, ok := descendants()
	if !ok {
		// No /proc: everything in the namespace, or the child's group.
		target := -s.pid
		if os.Getpid() == 1 {
			target = -1
		}
		syscall.Kill(target, sig)
		return 1
	}
	for _, p := range procs {
		if s.hook != nil && p.pid == s.hook.pid {
			continue
		}
		if sig == syscall.SIGKILL && !s.killed[p.pid] {
			s.killed[p.pid] = true
			s.log.Warn("killed after the stop timeout", "pid", p.pid, "cmd", p.comm, "timeout", s.opts.stopTimeout().String())
		}
		syscall.Kill(p.pid, sig)
	}
	return len(procs)
}
