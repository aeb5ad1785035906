package tasks

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// ErrUnknown is wrapped by the error of Resolve for a name that is no task:
// not standard, not in the Procfile. The binary may then run the word as a
// command, and ends with status 2 when that fails too.
var ErrUnknown = errors.New("unknown task")

// ErrNoCommand is wrapped by the error of Resolve for a task that exists
// but has nothing to run: a standard task neither the Procfile nor a preset
// declares, or a Procfile command that expands to no words.
var ErrNoCommand = errors.New("no command")

// Registry is the tasks of one service directory. It is read once by Load
// and not changed after, so it is safe for concurrent use.
type Registry struct {
	Dir      string    // absolute service directory
	Procfile *Procfile // its Procfile; no entries when there is none
	Preset   *Preset   // its language preset, or nil
}

// Load reads the service directory dir: its Procfile, if any, with ${VAR}
// expanded from env, and its language preset. A missing Procfile is no
// error; a malformed one is an error carrying status 2 (see ParseProcfile);
// one that cannot be read is an error with status 1.
func Load(dir string, env map[string]string) (*Registry, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("load tasks: %w", err)
	}
	procfile, err := loadProcfile(filepath.Join(abs, "Procfile"), env)
	if err != nil {
		return nil, err
	}
	r := &Registry{Dir: abs, Procfile: procfile}
	if preset, ok := DetectPreset(os.DirFS(abs), env); ok {
		r.Preset = &preset
	}
	return r, nil
}

// loadProcfile parses the Procfile at path; a missing one has no entries.
func loadProcfile(path string, env map[string]string) (*Procfile, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Procfile{Path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load tasks: %w", err)
	}
	defer f.Close()
	return ParseProcfile(path, f, env)
}

// Resolve returns the task name asks for, in any spelling Canonical
// accepts, with args appended to its command. The Procfile wins over the
// built-in lifecycle tasks, which win over the preset. A name that matches
// no Procfile entry exactly may match one with its separators squashed
// ("dbmigrate" finds "db_migrate") when only one does.
//
// Errors carry their exit status: ErrUnknown (status 2) lists the tasks
// that can run; ErrNoCommand is status 2 for an undeclared standard task
// and 78 (configuration) for a command that expands to no words.
func (r *Registry) Resolve(name string, args []string) (Task, error) {
	canonical := r.canonical(name)
	t, ok := r.find(canonical)
	switch {
	case !ok && isStandard(canonical):
		return Task{}, exitcode.Wrap(exitcode.Usage, fmt.Errorf("task %s: %w: add `%s: COMMAND` to %s", canonical, ErrNoCommand, canonical, r.Procfile.Path))
	case !ok:
		return Task{}, exitcode.Wrap(exitcode.Usage, fmt.Errorf("%w %q; known tasks: %s", ErrUnknown, name, strings.Join(r.runnable(), ", ")))
	case !t.Builtin && len(t.Argv) == 0:
		e, _ := r.Procfile.Entry(canonical)
		return Task{}, exitcode.Wrap(exitcode.Config, fmt.Errorf("task %s: %w: %s:%d: %q expands to no words", canonical, ErrNoCommand, r.Procfile.Path, e.Line, e.Command))
	}
	t.Args = args
	if !t.Builtin {
		t.Argv = append(slices.Clip(t.Argv), args...)
	}
	return t, nil
}

// canonical maps name to the canonical name of a task: Canonical, then a
// unique squashed match among the Procfile entries.
func (r *Registry) canonical(name string) string {
	canonical := Canonical(name)
	if _, ok := r.Procfile.Entry(canonical); ok {
		return canonical
	}
	var matches []string
	for _, e := range r.Procfile.Entries {
		if squash(e.Name) == squash(canonical) {
			matches = append(matches, e.Name)
		}
	}
	if len(matches) == 1 {
		return matches[0]
	}
	return canonical
}

// find returns the task with the canonical name, without extra args.
func (r *Registry) find(name string) (Task, bool) {
	if e, ok := r.Procfile.Entry(name); ok {
		return r.procfileTask(e), true
	}
	if lifecycle[name] {
		return Task{Name: name, Description: standardDescription(name), Source: SourceBuiltin, Dir: r.Dir, Builtin: true}, true
	}
	if r.Preset != nil && r.Preset.Commands[name] != nil {
		return r.presetTask(name), true
	}
	return Task{}, false
}

func (r *Registry) procfileTask(e Entry) Task {
	description := e.Description
	if description == "" {
		description = standardDescription(e.Name)
	}
	return Task{Name: e.Name, Description: description, Source: SourceProcfile, Argv: slices.Clone(e.Argv), Dir: r.Dir}
}

func (r *Registry) presetTask(name string) Task {
	return Task{
		Name:        name,
		Description: standardDescription(name),
		Source:      r.Preset.Source(),
		Argv:        slices.Clone(r.Preset.Commands[name]),
		Dir:         r.Dir,
		Env:         maps.Clone(r.Preset.Env),
	}
}

// runnable returns the sorted names of the tasks that have something to run.
func (r *Registry) runnable() []string {
	var names []string
	for _, t := range r.List() {
		if t.Source != SourceNone {
			names = append(names, t.Name)
		}
	}
	return names
}
