package ptytest_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/ptytest"
)

func TestPTYDrivesAnInteractiveShell(t *testing.T) {
	p := ptytest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", `[ -t 0 ] && echo tty; read line; echo "got $line"; exit 4`)
	require.NoError(t, p.Start(cmd))
	p.Expect(t, "tty", 10*time.Second)
	p.Type(t, "hello\r")
	p.Expect(t, "got hello", 10*time.Second)
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 4, exit.ExitCode())
}

func TestPTYCtrlCInterruptsTheForegroundJob(t *testing.T) {
	p := ptytest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", `trap 'echo interrupted; exit 0' INT; echo ready; while :; do read x; done`)
	require.NoError(t, p.Start(cmd))
	p.Expect(t, "ready", 10*time.Second)
	p.Type(t, "\x03")
	p.Expect(t, "interrupted", 10*time.Second)
	require.NoError(t, cmd.Wait())
}
