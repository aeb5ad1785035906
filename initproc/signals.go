package initproc

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// ParseSignal reads a signal given as a number (15), a name (TERM,
// SIGTERM, term) or a real-time offset (RTMIN+2).
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return 0, fmt.Errorf("signal %d is out of range 1..64", n)
		}
		return syscall.Signal(n), nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	if rest, ok := strings.CutPrefix(name, "RTMIN"); ok {
		off := 0
		if rest != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(rest, "+"))
			if err != nil || !strings.HasPrefix(rest, "+") {
				return 0, fmt.Errorf("unknown signal %q (want a number, a name like TERM, or RTMIN+N)", s)
			}
			off = n
		}
		if off < 0 || rtmin+off > 64 {
			return 0, fmt.Errorf("signal %q is out of range", s)
		}
		return syscall.Signal(rtmin + off), nil
	}
	for sig, n := range signalNames {
		if n == name {
			return sig, nil
		}
	}
	return 0, fmt.Errorf("unknown signal %q (want a number, a name like TERM, or RTMIN+N)", s)
}

// SignalName returns the conventional name of sig: SIGTERM, SIGRTMIN+2.
func SignalName(sig syscall.Signal) string {
	if n, ok := signalNames[sig]; ok {
		return "SIG" + n
	}
	if int(sig) >= rtmin && sig <= 64 {
		return fmt.Sprintf("SIGRTMIN+%d", int(sig)-rtmin)
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// rtmin is the first real-time signal a program may use (glibc and musl
// keep 32 and 33 for themselves); the Go runtime also keeps goReserved.
const (
	rtmin      = 34
	goReserved = syscall.Signal(34)
)

var signalNames = map[syscall.Signal]string{
	1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE",
	9: "KILL", 10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM",
	16: "STKFLT", 17: "CHLD", 18: "CONT", 19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU",
	23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "IO",
	30: "PWR", 31: "SYS",
}

// What the init does with each signal it can receive:
//
//   - SIGCHLD wakes the reaper; it is never forwarded.
//   - SIGKILL and SIGSTOP cannot be caught.
//   - SIGURG and SIGPROF belong to the Go runtime (preemption, profiling)
//     and are never forwarded: the runtime sends itself SIGURG constantly.
//   - SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP and SIGSYS are about the
//     init's own execution. Sent by another process they are caught and
//     dropped (so `kill -SEGV 1` cannot take the container down); a real
//     fault crashes the init with a Go stack trace.
//   - SIGPIPE is caught and dropped: it can only be about the init's own
//     writes. Catching it, rather than ignoring it, means the child starts
//     with the default disposition, as exec resets caught signals.
//   - SIGQUIT and SIGABRT are forwarded (a JVM or Go service answers them
//     with a thread dump); they do not make the init dump or exit.
//   - Signal 34 (glibc's SIGRTMIN) is reserved by the Go runtime (musl's
//     SIGSYNCCALL) and cannot be caught by a Go program. Once the child
//     has started, the init ignores it so that it cannot kill the init;
//     it is not forwarded. SIGRTMIN+1 (35) and up are.
//   - Every other signal, 1..31 and 35..64, is forwarded once.
//     SIGTERM and SIGINT also start the stop timeout.
func forwardable(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGCHLD, syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGURG, syscall.SIGPROF,
		syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP,
		syscall.SIGSYS, syscall.SIGPIPE, goReserved:
		return false
	}
	return sig >= 1 && sig <= 64 && (sig < 32 || int(sig) >= rtmin)
}

// Forwarded lists, in order, every signal the init forwards to its child.
func Forwarded() []syscall.Signal {
	var sigs []syscall.Signal
	for s := syscall.Signal(1); s <= 64; s++ {
		if forwardable(s) {
			sigs = append(sigs, s)
		}
	}
	return sigs
}

// earlySignals are caught before the child starts: SIGCHLD, and those
// that would otherwise end a Go init in the child's first milliseconds
// (the stop signals, a hangup, a write to a closed log pipe, a dump
// request). The rest are caught by a goroutine while the child starts;
// until then the runtime drops them (or, for the stop and fault signals,
// would stop or crash an init that is not PID 1). Each catch is a round
// trip to the runtime's signal thread (about 35 µs), which is most of a Go
// init's start-up cost.
var earlySignals = []syscall.Signal{
	syscall.SIGCHLD, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGPIPE, syscall.SIGQUIT,
}

// lateSignals are every other signal the init catches.
func lateSignals(early []syscall.Signal) []syscall.Signal {
	caught := map[syscall.Signal]bool{}
	for _, s := range early {
		caught[s] = true
	}
	var late []syscall.Signal
	for s := syscall.Signal(1); s <= 64; s++ {
		if caught[s] || s == syscall.SIGKILL || s == syscall.SIGSTOP || s == syscall.SIGURG ||
			s == syscall.SIGPROF || (s >= 32 && int(s) < rtmin) || s == goReserved {
			continue
		}
		late = append(late, s)
	}
	return late
}
