package tasks

import (
	"maps"
	"slices"
	"strings"
)

// Environ returns base, a list of NAME=value as os.Environ gives, with
// t.Env set in it: a variable of t.Env replaces every entry of the same
// name in base (getenv takes the first, so none may be left) and is added
// at the end, in sorted order.
func (t Task) Environ(base []string) []string {
	env := make([]string, 0, len(base)+len(t.Env))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if _, replaced := t.Env[name]; !replaced {
			env = append(env, kv)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(t.Env)) {
		env = append(env, name+"="+t.Env[name])
	}
	return env
}
