// Package tasks resolves the standard tasks of a service (static_analysis,
// test_unit, test_integration, build, publish, deploy, run, test_sanity) and
// every task its Procfile declares into something the binary can run.
//
// It is a pure library: it reads the service directory (the Procfile and the
// files that identify a language) and returns data. It starts no process,
// runs no shell, starts no goroutine, never prints and never reads the
// process environment: the environment used for ${VAR} expansion is passed
// in as a map.
//
// Where a task comes from, in order of precedence:
//
//  1. the Procfile entry of that name (source "procfile"), always first;
//  2. the built-in Go code of the lifecycle tasks build, publish and deploy
//     (source "built-in"; resolved with Builtin set and no Argv);
//  3. the language preset detected from go.mod, pyproject.toml /
//     requirements.txt / setup.py, or package.json (source "preset:go",
//     "preset:python", "preset:node").
//
// What the front ends share beyond resolving: Task.Environ (the task's
// variables set in an environment), ImageRun (a task as it runs inside a
// service image, for exact parity with CI), LogStart and LogEnd (the one
// start and one end line of every task, through the logger passed in). The
// binary (entrypoint TASK) and the mage targets (tasks/mage) run a task
// through these and initproc, and a built-in lifecycle task through
// package tasks/lifecycle, so a task behaves the same whichever started it.
//
// Names are snake_case; lookup also accepts kebab-case, camelCase,
// PascalCase and the lowercased forms mage produces (see Canonical).
//
// Errors carry the exit status the binary ends with (see
// internal/exitcode): a malformed Procfile, an unknown task (ErrUnknown) and
// an undeclared standard task (ErrNoCommand) are usage errors (2); a
// Procfile command that expands to no words is a configuration error (78);
// a Procfile that exists but cannot be read is the tool's own failure (1).
package tasks
