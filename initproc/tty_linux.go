package initproc

import (
	"syscall"
	"unsafe"
)

// controllingTTY reports whether descriptor 0 is the init's controlling
// terminal: only then can the child be put in its foreground.
func controllingTTY() bool {
	var pgrp int32
	_, _, errno := syscall.RawSyscall(syscall.SYS_IOCTL, 0, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp)))
	return errno == 0
}

// releaseTTY gives up the init's controlling terminal so that a child in a
// new session can take it (dumb-init's setsid mode). When the init led the
// terminal's session, the kernel answers with SIGHUP and SIGCONT, which
// must not be forwarded: it reports whether to expect them.
func releaseTTY() (expectHangup bool) {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_IOCTL, 0, syscall.TIOCNOTTY, 0); errno != 0 {
		return false
	}
	sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
	return int(sid) == syscall.Getpid()
}
