package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// child runs one of the processes the harness starts under an init.
//
// Protocol lines start with tag.
//
//	spawn-zombies N   fork N copies that exit at once, print
//	                  "zombies N mono NS" and exit 0 without reaping them:
//	                  they all become the init's zombies.
//	spawn-zombies-on-input N
//	                  the same, once a byte arrives on stdin.
//	orphans-check N   run spawn-zombies N as a grandchild, then stay alive
//	                  until /proc shows only the init and itself (every
//	                  orphan reaped by the init), print "left 0 drain_ns NS";
//	                  exit 1 with the count left after a deadline.
//	forward-latency   catch SIGTERM, print "ready", then print the
//	                  CLOCK_MONOTONIC time of each SIGTERM on receipt; exit 0
//	                  when stdin reaches EOF.
func child(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "pid1 child: no command")
		return 2
	}
	n := 0
	if len(args) > 1 {
		var err error
		if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
			fmt.Fprintf(stderr, "pid1 child: bad count %q\n", args[1])
			return 2
		}
	}
	switch args[0] {
	case "spawn-zombies":
		return spawnZombies(n, stdout, stderr)
	case "spawn-zombies-on-input":
		// For tracing the init alone (strace -f -p INIT): start first,
		// attach, then write a line.
		fmt.Fprintf(stdout, "%sready\n", tag)
		if _, err := io.ReadFull(os.Stdin, make([]byte, 1)); err != nil {
			fmt.Fprintln(stderr, "pid1 child: stdin:", err)
			return 1
		}
		return spawnZombies(n, stdout, stderr)
	case "orphans-check":
		return orphansCheck(n, stdout, stderr)
	case "forward-latency":
		return forwardLatency(stdout, stderr)
	}
	fmt.Fprintf(stderr, "pid1 child: unknown command %q\n", args[0])
	return 2
}

// tag starts every line of the child's protocol; the harness ignores other
// lines (an init may log to the same stdout).
const tag = "pid1: "

// mono reads CLOCK_MONOTONIC, comparable across processes (no time
// namespace is involved), in nanoseconds.
func mono() int64 {
	var ts syscall.Timespec
	syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, 1 /* CLOCK_MONOTONIC */, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

func spawnZombies(n int, stdout, stderr io.Writer) int {
	// SIGCHLD back to SIG_DFL (not SIG_IGN, which would stop the zombies):
	// the kernel then drops the signal each exiting copy sends, instead of
	// running Go's handler 20,000 times.
	var dfl struct{ handler, flags, restorer, mask uintptr }
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGCHLD), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0); errno != 0 {
		fmt.Fprintln(stderr, "pid1 child: SIGCHLD to SIG_DFL:", errno)
	}
	made := 0
	for ; made < n; made++ {
		// A raw fork: the copy runs no Go code, it returns from clone
		// straight into exit_group.
		pid, _, errno := syscall.RawSyscall(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0)
		if errno != 0 {
			fmt.Fprintf(stderr, "pid1 child: fork %d of %d: %v\n", made+1, n, errno)
			break
		}
		if pid == 0 {
			syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
		}
	}
	fmt.Fprintf(stdout, "%szombies %d mono %d\n", tag, made, mono())
	return 0
}

func orphansCheck(n int, stdout, stderr io.Writer) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "pid1 child:", err)
		return 1
	}
	spawner := exec.Command(self, "child", "spawn-zombies", strconv.Itoa(n))
	spawner.Stderr = stderr
	if err := spawner.Run(); err != nil {
		fmt.Fprintln(stderr, "pid1 child: spawner:", err)
		return 1
	}
	start := mono()
	deadline := time.Now().Add(20 * time.Second)
	for {
		left, err := countProcs()
		if err != nil {
			fmt.Fprintln(stderr, "pid1 child:", err)
			return 1
		}
		left -= 2 // the init and this process
		if left <= 0 {
			fmt.Fprintf(stdout, "%sleft 0 drain_ns %d\n", tag, mono()-start)
			return 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(stdout, "%sleft %d drain_ns %d\n", tag, left, mono()-start)
			return 1
		}
		// Polling /proc, not a handshake: nothing tells this process when
		// the init has reaped its orphans. A short pause leaves the CPU to it.
		time.Sleep(2 * time.Millisecond)
	}
}

// countProcs counts the processes in this PID namespace's /proc.
func countProcs() (int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, fmt.Errorf("read /proc: %w", err)
	}
	n := 0
	for _, name := range names {
		if name != "" && name[0] >= '0' && name[0] <= '9' {
			n++
		}
	}
	return n, nil
}

// init pins the main goroutine to the main thread for forward-latency, so
// that the thread the kernel prefers for a process-directed signal (the
// thread-group leader) is the one waiting for it in rt_sigtimedwait.
func init() {
	if len(os.Args) > 2 && os.Args[1] == "child" && os.Args[2] == "forward-latency" {
		runtime.LockOSThread()
	}
}

// forwardLatency prints the CLOCK_MONOTONIC time of each SIGTERM. The main
// thread takes it straight from the kernel with rt_sigtimedwait: no Go
// signal handler, no goroutine hand-off, so the figure is the init's.
// signal.Notify stays as the fallback (and keeps SIGTERM from killing
// us) for a signal that lands while the main thread is not waiting; such
// samples are marked with a trailing " late".
func forwardLatency(stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(eof)
	}()
	if _, err := io.WriteString(stdout, tag+"ready\n"); err != nil {
		return 1
	}
	set := uint64(1) << (syscall.SIGTERM - 1)
	wait := syscall.NsecToTimespec(int64(50 * time.Millisecond))
	for {
		late := ""
		select {
		case <-eof:
			return 0
		case <-sigs:
			late = " late"
		default:
			sig, _, _ := syscall.Syscall6(syscall.SYS_RT_SIGTIMEDWAIT, uintptr(unsafe.Pointer(&set)), 0, uintptr(unsafe.Pointer(&wait)), 8, 0, 0)
			if sig != uintptr(syscall.SIGTERM) {
				continue // timeout or EINTR: look at the channels again
			}
		}
		line := tag + strconv.FormatInt(mono(), 10) + late + "\n"
		if _, err := io.WriteString(stdout, line); err != nil {
			fmt.Fprintln(stderr, "pid1 child:", err)
			return 1
		}
	}
}
