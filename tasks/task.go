package tasks

// Source is where a task comes from, as `--list` shows it.
type Source string

// The sources of a task. A preset's source is "preset:" and its language
// (see Preset.Source).
const (
	SourceProcfile Source = "procfile" // an entry of the service's Procfile
	SourceBuiltin  Source = "built-in" // Go code of this package (build, publish, deploy)
	SourceNone     Source = "none"     // a standard task nothing declares
)

// Task is a task resolved for one service: what to run, where, and why.
type Task struct {
	Name        string            // canonical name
	Description string            // one line for --list
	Source      Source            // where it comes from
	Argv        []string          // the command and its arguments, extra args appended; nil for built-ins
	Args        []string          // the extra arguments given on the command line
	Dir         string            // the service directory, the command's working directory
	Env         map[string]string // variables added to the inherited environment; may be nil
	Builtin     bool              // implemented as Go code: run it by Name, not Argv
}
