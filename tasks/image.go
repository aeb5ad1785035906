package tasks

import (
	"maps"
	"slices"
	"strings"
)

// ImageRun says how a task runs inside a service image (see Task), for
// exact parity with CI and production.
type ImageRun struct {
	Image string            // the image reference; its ENTRYPOINT is entrypoint
	Dir   string            // where docker runs: the service directory
	Env   map[string]string // the caller's environment; only names are passed on
	Pass  []string          // more variables to pass on, when set in Env
	Args  []string          // more docker run options, before the image (--network none)
	TTY   bool              // stdin is a terminal: give the container one (-t)
}

// Task returns the task name with args as it runs in the image:
//
//	docker run --rm -i [-t] [-e NAME]... [DOCKER-ARGS...] IMAGE NAME ARGS...
//
// The image's own entrypoint resolves name against the service as the
// image holds it, in the image's working directory: nothing is mounted,
// so the code, the toolchain and the Procfile are the ones CI and
// production run (rebuild the image to test a change). docker run proxies
// SIGINT and SIGTERM to the container and exits with its status.
//
// Variables go by name (-e NAME: docker reads the value from its own
// environment), so no value is ever printed: the ENTRYPOINT_ settings
// that are set, except those that describe the host side
// (ENTRYPOINT_IN_IMAGE, ENTRYPOINT_DIR, ENTRYPOINT_DRY_RUN,
// ENTRYPOINT_PASS_ENV, ENTRYPOINT_DOCKER_ARGS); CI and NO_COLOR; and the
// names in Pass. Names not set in Env are left out.
func (r ImageRun) Task(name string, args []string) Task {
	argv := []string{"docker", "run", "--rm", "-i"}
	if r.TTY {
		argv = append(argv, "-t")
	}
	for _, n := range r.passed() {
		argv = append(argv, "-e", n)
	}
	argv = append(argv, r.Args...)
	argv = append(append(argv, r.Image, name), args...)
	canonical := Canonical(name)
	return Task{
		Name:        canonical,
		Description: standardDescription(canonical),
		Source:      Source("image:" + r.Image),
		Argv:        argv,
		Args:        args,
		Dir:         r.Dir,
	}
}

// hostOnly are the settings that describe the host side of an image run.
var hostOnly = map[string]bool{
	"ENTRYPOINT_IN_IMAGE": true, "ENTRYPOINT_DIR": true, "ENTRYPOINT_DRY_RUN": true,
	"ENTRYPOINT_PASS_ENV": true, "ENTRYPOINT_DOCKER_ARGS": true,
}

// passed returns the sorted names of the variables an image run passes on.
func (r ImageRun) passed() []string {
	names := map[string]bool{}
	for n := range r.Env {
		if strings.HasPrefix(n, "ENTRYPOINT_") && !hostOnly[n] {
			names[n] = true
		}
	}
	for _, n := range append([]string{"CI", "NO_COLOR"}, r.Pass...) {
		if _, set := r.Env[n]; set && n != "" {
			names[n] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}
