//go:build mage

// The standard tasks of helloworld-python, for `go tool mage`: the same code
// as `entrypoint TASK`.
package main

import (
	//mage:import
	"github.com/entrypoint/entrypoint/tasks/mage"
)

// Aliases add the snake_case names: `go tool mage test_unit`.
var Aliases = map[string]any{
	"static_analysis":  mage.StaticAnalysis,
	"test_unit":        mage.TestUnit,
	"test_integration": mage.TestIntegration,
	"test_sanity":      mage.TestSanity,
}
