package main

// The standard tasks (issue 4) are wired in here: their settings and
// flags, and the dispatch of a first operand that names a task.

// taskConfig holds the tasks' env twins.
type taskConfig struct{}

// taskFlags are the tasks' flags.
var taskFlags []flagDef

// runTask runs the task named by inv.args[0], or, for a workload task,
// rewrites inv.args to its command and reports handled=false so that
// supervise runs it under the init. A first operand that names no task is
// a command: handled=false, inv.args unchanged.
func runTask(inv *invocation) (code int, handled bool) { return 0, false }
