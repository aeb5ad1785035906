package main

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/secrets"
	"github.com/entrypoint/entrypoint/internal/prelude/user"
	"github.com/entrypoint/entrypoint/internal/prelude/wait"
)

// runEnv is `entrypoint env`: the effective configuration, sorted, one
// NAME=VALUE a line: every ENTRYPOINT_* setting as the flags and the
// environment make it, then the environment the child would get (secrets
// resolved, HOME of --user). Values that came from a file or whose name
// looks secret print as <redacted, N bytes>. It runs nothing and waits
// for nothing.
func runEnv(inv *invocation) int {
	env, fromFiles, err := resolveSecretFiles(inv.env, inv.cfg.Secrets)
	if err != nil {
		fmt.Fprintf(inv.stderr, "entrypoint: %v\n", listed("secrets", err))
		return exitcode.Of(err)
	}
	if spec := inv.cfg.User; spec != "" {
		if u, err := user.Lookup(spec, "/"); err == nil {
			env = setEnv(env, "HOME", u.Home)
		} else {
			fmt.Fprintf(inv.stderr, "entrypoint: %v\n", err)
			return exitcode.Of(err)
		}
	}
	settings := settingsOf(inv.cfg)
	lines := make([]string, 0, len(settings)+len(env))
	lines = append(lines, settings...)
	for _, kv := range lastPerName(env) {
		if !strings.HasPrefix(kv, "ENTRYPOINT_") {
			lines = append(lines, secrets.Redact(kv, fromFiles...))
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Fprintln(inv.stdout, l)
	}
	return exitcode.OK
}

// lastPerName keeps the last entry of each name, as the child sees it.
func lastPerName(env []string) []string {
	last := map[string]string{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		last[k] = kv
	}
	out := make([]string, 0, len(last))
	for _, kv := range last {
		out = append(out, kv)
	}
	return out
}

// settingsOf renders every field of c that has an env tag (the init's,
// the prelude's and the tasks' settings) as ENV=value.
func settingsOf(c *config) []string {
	var out []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f, fv := v.Type().Field(i), v.Field(i)
			if f.Anonymous && fv.Kind() == reflect.Struct {
				walk(fv)
				continue
			}
			if name := strings.Split(f.Tag.Get("env"), ",")[0]; name != "" && f.IsExported() {
				out = append(out, name+"="+settingValue(name, fv))
			}
		}
	}
	walk(reflect.ValueOf(c).Elem())
	return out
}

// settingValue renders a setting; URLs in ENTRYPOINT_WAIT lose their
// passwords.
func settingValue(name string, v reflect.Value) string {
	if targets, err := wait.Parse(v.String()); name == "ENTRYPOINT_WAIT" && err == nil {
		s := make([]string, len(targets))
		for i, t := range targets {
			s[i] = t.String()
		}
		return strings.Join(s, ",")
	}
	switch x := v.Interface().(type) {
	case time.Duration:
		return x.String()
	case []string:
		return strings.Join(x, ",")
	case []int:
		s := make([]string, len(x))
		for i, n := range x {
			s[i] = strconv.Itoa(n)
		}
		return strings.Join(s, ",")
	}
	return fmt.Sprint(v.Interface())
}
