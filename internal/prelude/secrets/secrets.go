// Package secrets resolves Docker-style NAME_FILE secrets into NAME and tells
// which variable names hold secrets, so that they are never printed.
//
// Resolve follows the convention of the official Docker images: for every
// NAME_FILE=/path in the environment, NAME becomes the content of /path with
// exactly one trailing newline ("\n" or "\r\n") removed, and NAME_FILE is
// dropped. An empty NAME or NAME_FILE counts as unset.
//
// Guarantees:
//   - Every problem (NAME and NAME_FILE both set, a file that cannot be read,
//     a file holding a NUL byte) is reported at once, one line each, in an
//     error carrying exit code 78 (exitcode.Config). Messages name the
//     variable and the path, never the content.
//   - The environment passed in is not modified; nothing is printed or logged.
//
// The integrator reads no variable of its own for this package: every
// variable whose name ends in _FILE is resolved.
package secrets

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// suffix marks a variable whose value is the path of a secret file.
const suffix = "_FILE"

// Resolve returns env (a list of "K=V") with every NAME_FILE replaced by
// NAME=content, and the sorted names whose values came from files.
func Resolve(env []string) (resolved, fromFiles []string, err error) {
	set := lastValues(env)
	contents := map[string]string{} // NAME -> content
	var errs []error
	for _, kv := range env {
		name, path, ok := fileVar(kv)
		if _, done := contents[name]; !ok || done || set[name+suffix] != path {
			continue // not a secret reference, overridden by a later entry, or a repeat
		}
		content, err := load(name, path, set)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		contents[name] = content
	}
	if len(errs) > 0 {
		return nil, nil, exitcode.Wrap(exitcode.Config, errors.Join(errs...))
	}
	return rewrite(env, contents), sortedKeys(contents), nil
}

// fileVar splits "NAME_FILE=/path" into NAME and /path, ignoring empty ones.
func fileVar(kv string) (name, path string, ok bool) {
	k, path, _ := strings.Cut(kv, "=")
	name, found := strings.CutSuffix(k, suffix)
	return name, path, found && name != "" && path != ""
}

// load reads the secret for name from path, checking that name is unset.
func load(name, path string, set map[string]string) (string, error) {
	if set[name] != "" {
		return "", fmt.Errorf("%s%s=%s: %s is also set; set only one of them", name, suffix, path, name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s%s: %w", name, suffix, err)
	}
	s := trimNewline(string(b))
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("%s%s=%s: the file holds a NUL byte, which no environment variable can", name, suffix, path)
	}
	return s, nil
}

// trimNewline removes exactly one trailing "\n" or "\r\n".
func trimNewline(s string) string {
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		return strings.TrimSuffix(t, "\r")
	}
	return s
}

// rewrite puts NAME=content where NAME_FILE stood and drops empty NAME entries
// that the secret replaces.
func rewrite(env []string, contents map[string]string) []string {
	out := make([]string, 0, len(env))
	done := map[string]bool{} // only once, even for duplicate NAME_FILE entries
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, replaced := contents[k]; replaced {
			continue // an empty NAME=, superseded by the file
		}
		if name, ok := strings.CutSuffix(k, suffix); ok {
			if content, resolved := contents[name]; resolved {
				if !done[name] {
					out = append(out, name+"="+content)
					done[name] = true
				}
				continue
			}
		}
		out = append(out, kv)
	}
	return out
}

// lastValues maps each name to its value; later entries win, like os/exec.
func lastValues(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
