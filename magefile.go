//go:build mage

// This repository's own build script: the standard tasks, through the
// same code as `entrypoint TASK` (tasks/mage), and the release. With no
// Procfile here, the go preset supplies the tasks: `go tool mage testUnit`
// runs `go test ./...`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/release"
	//mage:import
	"github.com/entrypoint/entrypoint/tasks/mage"
)

// Aliases give the targets their snake_case names too: `go tool mage test_unit`.
var Aliases = map[string]any{
	"static_analysis":  mage.StaticAnalysis,
	"test_unit":        mage.TestUnit,
	"test_integration": mage.TestIntegration,
	"test_sanity":      mage.TestSanity,
}

// Release builds static entrypoint binaries for linux/amd64 and linux/arm64
// and their SHA256SUMS into dist/, reproducibly (docs/release.md). The
// version is ENTRYPOINT_VERSION, else `git describe --tags --always --dirty`.
func Release(ctx context.Context) error {
	a, err := release.Build(ctx, release.Options{Env: environ.Map(os.Environ()), Stderr: os.Stderr})
	if err != nil {
		return mg.Fatal(exitcode.Of(err), err)
	}
	for _, f := range a.Binaries {
		fmt.Println(f.Path)
	}
	fmt.Println(a.Sums)
	return nil
}
