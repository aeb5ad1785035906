package initproc

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

const (
	prCapbsetDrop   = 24
	prSetNoNewPrivs = 38
	// capLastCapFallback is CAP_CHECKPOINT_RESTORE, the last capability
	// of Linux 5.9 to 6.x, used when /proc does not say.
	capLastCapFallback = 40
)

// forkExecAs starts path as ForkExec does, and when cred is set, as that
// user with no_new_privs and an empty capability bounding set. Both are
// per-thread attributes that a forked child inherits from the thread that
// forked it, so the fork happens on a goroutine locked to a thread of its
// own that is set up first and never unlocked: the thread ends with the
// goroutine, and the init's other threads keep their privileges. The
// returned warning is set when the bounding set could not be emptied
// (no CAP_SETPCAP); the child still loses every capability when it
// leaves uid 0.
func forkExecAs(path string, argv []string, attr *syscall.ProcAttr, cred *syscall.Credential) (pid int, warning, err error) {
	if cred == nil {
		pid, err = syscall.ForkExec(path, argv, attr)
		return pid, nil, err
	}
	type result struct {
		pid          int
		warning, err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		warning, err := restrictThread()
		if err != nil {
			done <- result{err: err}
			return
		}
		sys := *attr.Sys
		sys.Credential = cred
		a := *attr
		a.Sys = &sys
		pid, err := syscall.ForkExec(path, argv, &a)
		done <- result{pid, warning, err}
	}()
	r := <-done
	return r.pid, r.warning, r.err
}

// restrictThread sets no_new_privs on the calling thread and drops every
// capability from its bounding set.
func restrictThread() (warning, err error) {
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); errno != 0 {
		return nil, fmt.Errorf("set no_new_privs: %w", errno)
	}
	for c := 0; c <= capLastCap(); c++ {
		_, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, prCapbsetDrop, uintptr(c), 0, 0, 0, 0)
		switch {
		case errno == 0, errno == syscall.EINVAL: // dropped, or unknown to this kernel
		case errno == syscall.EPERM:
			return errors.New("cannot empty the capability bounding set (no CAP_SETPCAP)"), nil
		default:
			return nil, fmt.Errorf("drop capability %d from the bounding set: %w", c, errno)
		}
	}
	return nil, nil
}

// capLastCap is the highest capability number the kernel knows.
func capLastCap() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return capLastCapFallback
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return capLastCapFallback
	}
	return n
}
