package ptytest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestExpectGivesUpAtTheDeadline(t *testing.T) {
	p := Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "echo ready; read x")
	require.NoError(t, p.Start(cmd))
	require.NoError(t, p.expect("ready", time.Now().Add(10*time.Second)))
	err := p.expect("never printed", time.Now().Add(100*time.Millisecond))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	p.Type(t, "\r")
	require.NoError(t, cmd.Wait())
	require.ErrorContains(t, p.expect("never printed", time.Now().Add(10*time.Second)), "closed")
}
