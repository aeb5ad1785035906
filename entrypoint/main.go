// Command entrypoint is the PID 1 and single entrypoint of service
// containers: it runs a command under an init that forwards signals, reaps
// zombies, stops gracefully and exits with the child's status.
//
// Called through a link named tini or docker-init it takes tini's flags and
// defaults; named dumb-init, dumb-init's. See the README for the flags,
// their env twins and the exit statuses.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args, os.Environ(), os.Stdout, os.Stderr))
}
