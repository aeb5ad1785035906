package testchild

import (
	"errors"
	"syscall"
	"unsafe"
)

// forkExit forks a copy of this process that exits at once. The copy runs
// no Go code: it returns from the raw clone straight into exit_group.
func forkExit() error {
	pid, _, errno := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if errno != 0 {
		return errno
	}
	if pid == 0 {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return nil
}

// dieBy restores the kernel's default action for sig, unblocks it and
// raises it, so the process ends as if killed by it. Go's own handler would
// otherwise turn it into exit status 2 or drop it.
func dieBy(sig syscall.Signal) error {
	var act struct {
		handler  uintptr // SIG_DFL
		flags    uint64
		restorer uintptr
		mask     uint64
	}
	if sig != syscall.SIGKILL {
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0); errno != 0 {
			return errno
		}
	}
	set := uint64(1) << (uint(sig) - 1)
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 1 /* SIG_UNBLOCK */, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0); errno != 0 {
		return errno
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_TGKILL, uintptr(syscall.Getpid()), uintptr(syscall.Gettid()), uintptr(sig)); errno != 0 {
		return errno
	}
	// A stop signal or one whose default is to ignore leaves us running.
	return errors.New("still running after " + sig.String())
}
