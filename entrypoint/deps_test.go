package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The PID-1 binary's import graph stays small: every package it links is
// code on the path of every container start, and resident. These are the
// only modules it may use, and the heavy standard packages it must not.
func TestImportGraphHoldsNoSurprise(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Module.Path}}{{else}}std:{{.ImportPath}}{{end}}", ".").Output()
	require.NoError(t, err)
	allowed := map[string]bool{
		"github.com/entrypoint/entrypoint": true,
		"github.com/caarlos0/env/v11":      true, // env twins
		"github.com/lmittmann/tint":        true, // logs on a terminal
		"github.com/cenkalti/backoff/v4":   true, // dependency waits
	}
	forbidden := []string{"std:net/http", "std:crypto/tls", "std:crypto/x509", "std:os/user", "std:plugin"}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "std:") {
			for _, f := range forbidden {
				require.NotEqual(t, f, dep, "the binary must not link %s", strings.TrimPrefix(f, "std:"))
			}
			continue
		}
		require.True(t, allowed[dep], "unexpected module %s in the binary's import graph", dep)
	}
}
