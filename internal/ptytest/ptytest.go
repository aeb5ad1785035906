// Package ptytest gives tests a pseudo-terminal to drive interactive
// programs with: start a command with the terminal as its stdin, stdout,
// stderr and controlling terminal, type keystrokes, and read until an
// expected string appears, with a deadline.
//
// It opens /dev/ptmx and unlocks and names the follower with ioctls
// (TIOCSPTLCK, TIOCGPTN); it needs no cgo and no module beyond the
// standard library. Reads happen in the calling goroutine, under
// deadlines on the leader's file: the package starts no goroutine.
package ptytest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// PTY is an open pseudo-terminal: Leader is the side the test drives,
// Follower the terminal the program sees.
type PTY struct {
	Leader   *os.File
	Follower *os.File

	seen []byte // everything read from Leader so far
	next int    // where the next Expect starts searching in seen
}

// Open opens a new pseudo-terminal of 80x24 and closes both ends when
// the test ends.
func Open(t testing.TB) *PTY {
	t.Helper()
	p, err := open()
	if err != nil {
		t.Fatalf("ptytest: %v", err)
	}
	t.Cleanup(func() {
		p.Leader.Close()
		p.Follower.Close()
	})
	return p
}

func open() (*PTY, error) {
	leader, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	name, err := unlock(leader)
	if err != nil {
		leader.Close()
		return nil, err
	}
	follower, err := os.OpenFile(name, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		leader.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	ws := struct{ row, col, x, y uint16 }{24, 80, 0, 0}
	if err := ioctl(follower, syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); err != nil {
		leader.Close()
		follower.Close()
		return nil, fmt.Errorf("set window size: %w", err)
	}
	return &PTY{Leader: leader, Follower: follower}, nil
}

// unlock unlocks the follower of leader and returns its path.
func unlock(leader *os.File) (string, error) {
	var locked int32
	if err := ioctl(leader, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&locked))); err != nil {
		return "", fmt.Errorf("unlockpt: %w", err)
	}
	var n uint32
	if err := ioctl(leader, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); err != nil {
		return "", fmt.Errorf("ptsname: %w", err)
	}
	return "/dev/pts/" + strconv.Itoa(int(n)), nil
}

func ioctl(f *os.File, req, arg uintptr) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := conn.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, arg)
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// Start starts cmd in a new session with the follower as its stdin,
// stdout, stderr and controlling terminal, then closes the test's copy of
// the follower, so that reads from Leader end once the program and its
// descendants have let go of the terminal.
func (p *PTY) Start(cmd *exec.Cmd) error {
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.Follower, p.Follower, p.Follower
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Setctty = true
	cmd.SysProcAttr.Ctty = 0 // the child's stdin
	err := cmd.Start()
	p.Follower.Close()
	return err
}

// Type writes keystrokes to the terminal, as typed: "\r" is Enter and
// "\x03" is Ctrl-C.
func (p *PTY) Type(t testing.TB, keys string) {
	t.Helper()
	if _, err := p.Leader.Write([]byte(keys)); err != nil {
		t.Fatalf("ptytest: type %q: %v", keys, err)
	}
}

// Expect reads from the terminal until want appears after the end of the
// previous match, and fails the test with everything read so far if it
// does not appear within timeout or the terminal closes first.
func (p *PTY) Expect(t testing.TB, want string, timeout time.Duration) {
	t.Helper()
	if err := p.expect(want, time.Now().Add(timeout)); err != nil {
		t.Fatalf("ptytest: waiting %v for %q: %v; terminal so far:\n%s", timeout, want, err, p.seen)
	}
}

func (p *PTY) expect(want string, deadline time.Time) error {
	if err := p.Leader.SetReadDeadline(deadline); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	buf := make([]byte, 4096)
	for {
		if i := bytes.Index(p.seen[p.next:], []byte(want)); i >= 0 {
			p.next += i + len(want)
			return nil
		}
		n, err := p.Leader.Read(buf)
		p.seen = append(p.seen, buf[:n]...)
		switch {
		case err == nil:
		case errors.Is(err, syscall.EIO):
			return errors.New("the terminal was closed (EIO)")
		default:
			return err
		}
	}
}

// Output is everything read from the terminal so far.
func (p *PTY) Output() string { return string(p.seen) }
