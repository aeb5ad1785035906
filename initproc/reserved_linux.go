package initproc

import (
	"syscall"
	"unsafe"
)

// ignoreReserved sets signal 34, which the Go runtime leaves at its
// default action (terminate) and will not let a program catch, to ignored.
// It is called after the child has started, so the child keeps the
// default: ignored dispositions survive exec.
func ignoreReserved() {
	act := struct {
		handler  uintptr
		flags    uint64
		restorer uintptr
		mask     uint64
	}{handler: 1} // SIG_IGN
	syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(goReserved), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
}
