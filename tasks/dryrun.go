package tasks

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DryRun renders t as `--dry-run` shows it, running nothing: a comment line
// naming the task, its source, its working directory and the names (never
// the values) of the variables it adds to the environment, then a line to
// paste into a POSIX shell: `cd DIR && COMMAND...`, each word quoted by
// Quote. A built-in task has no command line; its second line says so.
func DryRun(t Task) string {
	header := DryRunHeader(t)
	if t.Builtin {
		return header + "# built-in: runs Go code, no command line" + argsNote(t.Args) + "\n"
	}
	return header + "cd " + Quote(t.Dir) + " && " + Quote(t.Argv...) + "\n"
}

// DryRunHeader is the first line of DryRun, newline included: the task,
// its source, its directory and the names of the variables it adds. The
// front ends print it above the commands a lifecycle task's dry run shows.
func DryRunHeader(t Task) string {
	header := fmt.Sprintf("# %s (%s) in %s", t.Name, t.Source, t.Dir)
	if len(t.Env) > 0 {
		header += "; adds env: " + strings.Join(slices.Sorted(maps.Keys(t.Env)), " ")
	}
	return header + "\n"
}

// argsNote mentions the extra arguments of a built-in task, if any.
func argsNote(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return "; args: " + Quote(args...)
}

// Quote renders words as one POSIX shell line that splits back into exactly
// these words: a word of only safe characters (letters, digits and
// @%+=:,./_-) is left bare, unless it is a first word a shell would take
// for an assignment (NAME=value); any other, the empty word included, is put
// in single quotes, where each ' inside is closed, escaped and reopened:
//
//	it's → 'it'\''s'
func Quote(words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteWord(w, i == 0)
	}
	return strings.Join(quoted, " ")
}

func quoteWord(w string, first bool) string {
	bare := w != "" && strings.Trim(w, safeChars) == ""
	if bare && !(first && isAssignment(w)) {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// isAssignment reports whether a shell reads w, as a first word, as NAME=value.
func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	return ok && name != "" && isNameStart(name[0]) && nameLen(name) == len(name)
}

const safeChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-"
