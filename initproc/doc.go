// Package initproc is the PID-1 core of entrypoint: Run starts one command
// and owns it to the end, doing what tini and dumb-init do, and draining
// what they abandon.
//
// # Guarantees
//
//   - One goroutine, Run's own, waits for processes: on every SIGCHLD it
//     calls wait4(-1, WNOHANG) until 0 or ECHILD, and takes the main
//     child's status from that loop. Nothing else in the process may wait
//     for children while Run runs (exec.Cmd.Wait would race it for
//     statuses and lose).
//   - Signals that would stop or kill a Go process, and SIGCHLD, are
//     caught before the child starts; the others while it starts. Every
//     catchable signal except SIGCHLD, the Go runtime's SIGURG and SIGPROF,
//     SIGPIPE and the synchronous faults is forwarded exactly once, after
//     Options.Rewrite, to the child or, with KillGroup or Setsid, to its
//     process group. See Forwarded.
//   - The child runs in its own process group (its own session with
//     Setsid). When stdin is the init's controlling terminal the child is
//     given the terminal's foreground, so Ctrl-C and job control reach it.
//   - SIGTERM and SIGINT start the stop timeout (Options.StopTimeout,
//     DefaultStopTimeout by default); so does the main child's exit when
//     it leaves descendants behind, which then get SIGTERM and SIGCONT.
//     At the deadline everything left is killed with SIGKILL and each
//     killed process is logged by pid and name.
//   - Run returns only when the main child has exited and no child is
//     left (ECHILD), with the child's status: its exit code, or 128+N for
//     a death by signal N, with Options.ExitZero mapped to 0.
//   - With Options.Credential the child (never the init, which stays root
//     to reap, signal and run hooks) runs as that user, with no_new_privs
//     set and an empty capability bounding set.
//   - Options.PreStop runs when a stop begins, before the stop signal is
//     forwarded; Options.PostStop after the child and its descendants are
//     gone. The init starts and reaps them itself, kills an overrunning
//     one's process group at Options.HookTimeout (half the stop timeout by
//     default) and logs each start and end; a hook never changes Run's
//     status.
//   - Run starts one goroutine, to catch the late signals, and it has ended
//     before Run returns; with Options.Credential, another for the start,
//     which ends with its thread before the child runs. The child inherits stdin, stdout and stderr
//     directly: nothing is piped, buffered or re-logged.
//
// # Exit statuses
//
//	child's own      the child exited normally
//	128+N            the child was killed by signal N
//	126              the command exists but cannot be executed (*StartError)
//	127              the command does not exist (*StartError)
//
// Only PID 1 and child subreapers (Options.Subreaper) inherit orphans; any
// other init logs a warning and reaps only its own children.
package initproc
