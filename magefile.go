//go:build mage

// This repository's own build script: the standard tasks, through the
// same code as `entrypoint TASK` (tasks/mage). With no Procfile here, the
// go preset supplies them: `go tool mage testUnit` runs `go test ./...`.
package main

import (
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
