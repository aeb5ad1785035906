package initproc_test

import (
	"context"
	"fmt"
	"syscall"
	"time"

	"github.com/entrypoint/entrypoint/initproc"
)

// Run returns the child's exit status; a death by signal N is 128+N.
func ExampleRun() {
	code, err := initproc.Run(context.Background(), []string{"sh", "-c", "exit 3"}, initproc.Options{})
	fmt.Println(code, err)
	code, _ = initproc.Run(context.Background(), []string{"sh", "-c", "kill -TERM $$"}, initproc.Options{})
	fmt.Println(code)
	// Output:
	// 3 <nil>
	// 143
}

// A command that does not exist ends with 127, as in a shell.
func ExampleStartError() {
	code, err := initproc.Run(context.Background(), []string{"no-such-command"}, initproc.Options{})
	fmt.Println(code, err)
	// Output: 127 start no-such-command: not found in PATH
}

// The options of a dumb-init-style init that turns SIGTERM into SIGQUIT
// (nginx's graceful stop), reaps orphans when it is not PID 1 and reports
// the child's 143 as success.
func ExampleOptions() {
	opts := initproc.Options{
		Subreaper:   true,
		Setsid:      true,
		Rewrite:     map[syscall.Signal]syscall.Signal{syscall.SIGTERM: syscall.SIGQUIT},
		StopTimeout: 20 * time.Second,
		ExitZero:    []int{143},
	}
	code, _ := initproc.Run(context.Background(), []string{"true"}, opts)
	fmt.Println(code)
	// Output: 0
}

func ExampleParseSignal() {
	for _, s := range []string{"15", "TERM", "sigusr1", "RTMIN+2"} {
		sig, _ := initproc.ParseSignal(s)
		fmt.Println(int(sig), initproc.SignalName(sig))
	}
	// Output:
	// 15 SIGTERM
	// 15 SIGTERM
	// 10 SIGUSR1
	// 36 SIGRTMIN+2
}
