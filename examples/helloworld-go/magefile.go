//go:build mage

// The standard tasks of helloworld-go, for `go tool mage`: the same code
// as `entrypoint TASK`.
package main

import (
	"context"

	//mage:import
	"github.com/entrypoint/entrypoint/tasks/mage"
)

// Compile writes the image's static binaries into dist/ (the Procfile's
// compile entry; `entrypoint build` runs it before docker build).
func Compile(ctx context.Context) error { return mage.Task(ctx, "compile") }

// Aliases add the snake_case names: `go tool mage test_unit`.
var Aliases = map[string]any{
	"static_analysis":  mage.StaticAnalysis,
	"test_unit":        mage.TestUnit,
	"test_integration": mage.TestIntegration,
	"test_sanity":      mage.TestSanity,
}
