package initproc

import (
	"os"
	"strconv"
	"syscall"
)

// unpin moves the init out of the child's working directory and closes
// the descriptors above 2 it inherited without close-on-exec: the child
// has its own copies, and the init must not keep a mount busy or a
// listening socket open after the child is gone. Descriptors the Go
// runtime opened are close-on-exec and stay.
func unpin() {
	syscall.Chdir("/")
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil || fd <= 2 {
			continue
		}
		flags, _, errno := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno == 0 && flags&syscall.FD_CLOEXEC == 0 {
			syscall.Close(fd)
		}
	}
}
