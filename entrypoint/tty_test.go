package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/ptytest"
)

// An interactive shell under the init, on a real terminal and without
// Docker: the shell gets the terminal (foreground group, or its own
// session in setsid mode), so Ctrl-C reaches the foreground job and job
// control works.
func TestBinaryGivesTheChildTheTerminal(t *testing.T) {
	bins := e2eBins(t)
	for _, name := range []string{"entrypoint", "dumb-init"} {
		t.Run(name, func(t *testing.T) {
			bin := bins.entrypoint
			if name != "entrypoint" {
				bin = filepath.Join(t.TempDir(), name)
				require.NoError(t, os.Symlink(bins.entrypoint, bin))
			}
			const prompt = "tty-shell> "
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			pty := ptytest.Open(t)
			cmd := exec.CommandContext(ctx, bin, "/bin/sh", "-i")
			cmd.Env = append(os.Environ(), "PS1="+prompt, "ENTRYPOINT_LOG_LEVEL=error")
			require.NoError(t, pty.Start(cmd))
			defer cmd.Wait()
			defer cancel()

			pty.Expect(t, prompt, 30*time.Second)
			pty.Type(t, `sh -c 'echo sleep""ing; exec sleep 1000'`+"\r")
			pty.Expect(t, "sleeping", 30*time.Second)
			pty.Type(t, "\x03")
			pty.Expect(t, prompt, 30*time.Second)
			pty.Type(t, "echo $?\r")
			pty.Expect(t, "130", 30*time.Second) // the sleep, not the shell, got SIGINT
			pty.Type(t, "exit 5\r")
			err := cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "%v; terminal:\n%s", err, pty.Output())
			require.Equal(t, 5, exit.ExitCode(), "terminal:\n%s", pty.Output())
			require.NotContains(t, pty.Output(), "job control turned off")
			require.NotContains(t, pty.Output(), "can't access tty")
		})
	}
}
