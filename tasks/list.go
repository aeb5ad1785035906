package tasks

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// List returns every task of the service sorted by name: the standard
// tasks, with SourceNone for those nothing declares, and every Procfile
// entry. Each is resolved as Resolve would resolve it without extra args.
func (r *Registry) List() []Task {
	var list []Task
	for _, name := range Standard() {
		t, ok := r.find(name)
		if !ok {
			t = Task{Name: name, Description: standardDescription(name), Source: SourceNone, Dir: r.Dir}
		}
		list = append(list, t)
	}
	for _, e := range r.Procfile.Entries {
		if !isStandard(e.Name) {
			list = append(list, r.procfileTask(e))
		}
	}
	slices.SortFunc(list, func(a, b Task) int { return cmp.Compare(a.Name, b.Name) })
	return list
}

// WriteList writes list as `--list` shows it: one task per line, in
// aligned columns name, source, description, with no trailing blanks.
func WriteList(w io.Writer, list []Task) error {
	nameWidth, sourceWidth := 0, 0
	for _, t := range list {
		nameWidth = max(nameWidth, len(t.Name))
		sourceWidth = max(sourceWidth, len(t.Source))
	}
	for _, t := range list {
		line := fmt.Sprintf("%-*s  %-*s  %s", nameWidth, t.Name, sourceWidth, t.Source, t.Description)
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " ")); err != nil {
			return err
		}
	}
	return nil
}
