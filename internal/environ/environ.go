// Package environ reads an environment given as a list of "NAME=value"
// strings, the form os.Environ returns and exec takes, so that code can be
// handed an environment instead of reading the process's own.
package environ

import (
	"maps"
	"slices"
	"strings"
)

// Map returns environ as a map; for a name given twice the last wins, as
// for exec. Entries without "=" are skipped.
func Map(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// List returns m as a list of "NAME=value" strings sorted by name, the
// form exec takes.
func List(m map[string]string) []string {
	names := slices.Sorted(maps.Keys(m))
	list := make([]string, len(names))
	for i, n := range names {
		list[i] = n + "=" + m[n]
	}
	return list
}
