// Package testchild is the child process the tests run under the init: a
// handful of small, scriptable behaviours (exit with a code, print every
// signal, leave orphans behind, ignore SIGTERM, daemonise and linger,
// serve a health endpoint).
//
// Tests reach it two ways: the test binary re-executes itself with
// ENTRYPOINT_TESTCHILD=1 (see Dispatch), and the end-to-end tests build the
// static command in ./cmd/testchild so it also runs in FROM scratch
// containers. Every command that waits prints a line saying so ("ready") so
// that tests wait on that line, never on a sleep.
package testchild

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Env is the variable that makes Dispatch take over a test binary.
const Env = "ENTRYPOINT_TESTCHILD"

// Dispatch runs Main and exits when the process was started as a test
// child; call it first in TestMain.
func Dispatch() {
	if os.Getenv(Env) == "1" {
		os.Exit(Main(os.Args[1:], os.Stdout))
	}
}

// Main runs one command and returns the status to exit with.
func Main(args []string, out io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "testchild: no command")
		return 2
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "testchild: unknown command %q\n", args[0])
		return 2
	}
	return cmd(args[1:], out)
}

var commands map[string]func([]string, io.Writer) int

func init() {
	commands = map[string]func([]string, io.Writer) int{
		"exit":                 exit,
		"kill-self":            killSelf,
		"print-signals":        printSignals,
		"group-print-signals":  groupPrintSignals,
		"spawn-orphans":        spawnOrphans,
		"ignore-term":          ignoreTerm,
		"daemonise-and-linger": daemoniseAndLinger,
		"linger":               linger,
		"sleep":                sleep,
		"sigpipe":              sigpipe,
		"status":               status,
		"fds":                  fds,
		"pwd":                  pwd,
		"env":                  printEnv,
		"serve":                serve,
	}
}

func intArg(args []string, i, def int) int {
	if len(args) <= i {
		return def
	}
	n, err := strconv.Atoi(args[i])
	if err != nil {
		panic(fmt.Sprintf("testchild: %q is not a number", args[i]))
	}
	return n
}

// exit N: exit with status N.
func exit(args []string, _ io.Writer) int { return intArg(args, 0, 0) }

// kill-self N: die by signal N, with its default disposition.
func killSelf(args []string, _ io.Writer) int {
	sig := syscall.Signal(intArg(args, 0, int(syscall.SIGTERM)))
	if err := dieBy(sig); err != nil {
		fmt.Fprintln(os.Stderr, "testchild: kill-self:", err)
	}
	return 1
}

// Forwardable lists the signals a child can catch and the init forwards.
func Forwardable() []syscall.Signal {
	var sigs []syscall.Signal
	for s := syscall.Signal(1); s <= 64; s++ {
		switch s {
		case syscall.SIGKILL, syscall.SIGSTOP, syscall.SIGCHLD, syscall.SIGURG, syscall.SIGPROF,
			syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGTRAP,
			syscall.SIGSYS, syscall.SIGPIPE, 32, 33, 34:
			continue
		}
		sigs = append(sigs, s)
	}
	return sigs
}

// print-signals: print "ready", then "signal N" for every signal received;
// exit 0 after SIGTERM (or after the signal given as argument).
func printSignals(args []string, out io.Writer) int {
	last := syscall.Signal(intArg(args, 0, int(syscall.SIGTERM)))
	c := make(chan os.Signal, 128)
	for _, s := range Forwardable() {
		signal.Notify(c, s)
	}
	label := os.Getenv("TESTCHILD_LABEL")
	fmt.Fprintln(out, label+"ready")
	for s := range c {
		fmt.Fprintf(out, "%ssignal %d\n", label, s.(syscall.Signal))
		if s == last {
			return 0
		}
	}
	return 0
}

// group-print-signals: start a grandchild in this process group that
// prints "grandchild ready" and "grandchild signal N" to the same output,
// then behave as print-signals. Tests wait for both ready lines.
func groupPrintSignals(args []string, out io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testchild:", err)
		return 1
	}
	_, err = syscall.ForkExec(exe, append([]string{exe, "print-signals"}, args...), &syscall.ProcAttr{
		Env:   append(os.Environ(), "TESTCHILD_LABEL=grandchild "),
		Files: []uintptr{0, 1, 2},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testchild:", err)
		return 1
	}
	return printSignals(args, out)
}

// spawn-orphans N: start N processes that exit at once, never wait for them,
// print "spawned N" and exit 0: the init inherits N zombies.
func spawnOrphans(args []string, out io.Writer) int {
	n := intArg(args, 0, 1)
	for i := 0; i < n; i++ {
		if err := forkExit(); err != nil {
			fmt.Fprintln(os.Stderr, "testchild: fork:", err)
			return 1
		}
	}
	fmt.Fprintf(out, "spawned %d\n", n)
	return 0
}

// ignore-term: ignore SIGTERM, print "ready", sleep until killed.
func ignoreTerm(_ []string, out io.Writer) int {
	signal.Ignore(syscall.SIGTERM)
	fmt.Fprintln(out, "ready")
	for {
		time.Sleep(time.Hour) // select{} would trip the deadlock detector
	}
}

// daemonise-and-linger N [ignore-term]: start N grandchildren in new
// sessions that outlive this process (as "linger", optionally ignoring
// SIGTERM), wait until each is set up, print "daemon PID" for each and
// "ready", then exit 0.
func daemoniseAndLinger(args []string, out io.Writer) int {
	n := intArg(args, 0, 1)
	mode := ""
	if len(args) > 1 {
		mode = args[1]
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testchild:", err)
		return 1
	}
	for i := 0; i < n; i++ {
		pid, err := startDaemon(exe, mode)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testchild:", err)
			return 1
		}
		fmt.Fprintf(out, "daemon %d\n", pid)
	}
	fmt.Fprintln(out, "ready")
	return 0
}

// startDaemon starts "linger MODE" in a new session and waits for the
// byte it writes on descriptor 3 once its signals are set up.
func startDaemon(exe, mode string) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	pid, err := syscall.ForkExec(exe, []string{exe, "linger", mode}, &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2, w.Fd()},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	w.Close()
	if err != nil {
		return 0, err
	}
	if _, err := r.Read(make([]byte, 1)); err != nil {
		return 0, fmt.Errorf("daemon %d never got ready: %w", pid, err)
	}
	return pid, nil
}

// linger [ignore-term]: sleep until killed; tell descriptor 3, when it is
// open, once set up.
func linger(args []string, _ io.Writer) int {
	if len(args) > 0 && args[0] == "ignore-term" {
		signal.Ignore(syscall.SIGTERM)
	}
	if ready := os.NewFile(3, "ready"); ready != nil {
		ready.Write([]byte{1})
		ready.Close()
	}
	for {
		time.Sleep(time.Hour) // select{} would trip the deadlock detector
	}
}

// sleep DURATION: print "ready", sleep, exit 0.
func sleep(args []string, out io.Writer) int {
	d := time.Hour
	if len(args) > 0 {
		var err error
		if d, err = time.ParseDuration(args[0]); err != nil {
			fmt.Fprintln(os.Stderr, "testchild:", err)
			return 2
		}
	}
	fmt.Fprintln(out, "ready")
	time.Sleep(d)
	return 0
}

// sigpipe: print "sigpipe default" or "sigpipe ignored" as the kernel says
// this process started (SigIgn in /proc/self/status).
func sigpipe(_ []string, out io.Writer) int {
	mask, err := statusField("SigIgn")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testchild:", err)
		return 1
	}
	bits, _ := strconv.ParseUint(mask, 16, 64)
	if bits&(1<<(uint(syscall.SIGPIPE)-1)) != 0 {
		fmt.Fprintln(out, "sigpipe ignored")
	} else {
		fmt.Fprintln(out, "sigpipe default")
	}
	return 0
}

// status: print pid, ppid, pgid, sid, uid/gid, groups and capabilities.
func status(_ []string, out io.Writer) int {
	pgid, _ := syscall.Getpgid(0)
	sid, _, _ := syscall.RawSyscall(syscall.SYS_GETSID, 0, 0, 0)
	groups, _ := syscall.Getgroups()
	capEff, _ := statusField("CapEff")
	nnp, _ := statusField("NoNewPrivs")
	fmt.Fprintf(out, "pid=%d ppid=%d pgid=%d sid=%d uid=%d gid=%d groups=%v home=%s capeff=%s nonewprivs=%s\n",
		os.Getpid(), os.Getppid(), pgid, sid, os.Getuid(), os.Getgid(), groups, os.Getenv("HOME"), capEff, nnp)
	return 0
}

// fds: print the open descriptors, space separated.
func fds(_ []string, out io.Writer) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testchild:", err)
		return 1
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	fmt.Fprintln(out, "fds", strings.Join(names, " "))
	return 0
}

func pwd(_ []string, out io.Writer) int {
	wd, _ := os.Getwd()
	fmt.Fprintln(out, "pwd", wd)
	return 0
}

// env NAME...: print NAME=value for each name (or "NAME unset").
func printEnv(args []string, out io.Writer) int {
	for _, k := range args {
		if v, ok := os.LookupEnv(k); ok {
			fmt.Fprintf(out, "%s=%s\n", k, v)
		} else {
			fmt.Fprintf(out, "%s unset\n", k)
		}
	}
	return 0
}

func statusField(name string) (string, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("no %s in /proc/self/status", name)
}

// serve ADDR: answer GET /health with 200 on ADDR, print "serving ADDR"
// once listening; after SIGUSR1 answer 503 ("unhealthy" printed); exit 0
// on SIGTERM.
func serve(args []string, out io.Writer) int {
	addr := "127.0.0.1:8080"
	if len(args) > 0 {
		addr = args[0]
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testchild: serve:", err)
		return 1
	}
	unhealthy := make(chan struct{})
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-unhealthy:
			http.Error(w, "unhealthy", http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, "ok")
		}
	}))
	fmt.Fprintln(out, "serving", ln.Addr())
	for s := range sigs {
		if s == syscall.SIGTERM {
			return 0
		}
		select {
		case <-unhealthy:
		default:
			close(unhealthy)
			fmt.Fprintln(out, "unhealthy")
		}
	}
	return 0
}
