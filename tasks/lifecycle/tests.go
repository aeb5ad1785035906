package lifecycle

// What test_integration and test_sanity share: their deadlines, running
// the tests the service declares, and the status of an interruption.

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

// interruption is the error of a task whose ctx ended before it did.
func interruption(ctx context.Context, cleanup string) error {
	return exitcode.Wrap(exitcode.Interrupted, fmt.Errorf("interrupted (%v)%s", context.Cause(ctx), cleanup))
}

// runDeclared runs the command the service declares for t (its Procfile
// entry or preset) through the front end, with env added to its
// environment, after printing what it adds (the front end logs the
// command, its secrets redacted). It returns nil when the
// command passed, an error carrying its status when it failed, and an
// interruption (130) when ctx ended first. Under DryRun it prints the
// lines that would run it.
func runDeclared(ctx context.Context, r *runner, t tasks.Task, env map[string]string) error {
	if len(t.Argv) == 0 {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s declares no command: add `%s: COMMAND` to the Procfile", t.Name, t.Name))
	}
	added := maps.Clone(t.Env)
	if added == nil {
		added = map[string]string{}
	}
	maps.Copy(added, env)
	t.Env = added
	r.show(command{argv: exports(env)})
	if r.dryRun {
		fmt.Fprintf(r.stdout, "cd %s && %s\n", tasks.Quote(t.Dir), tasks.Quote(t.Argv...))
		return nil
	}
	code := r.task(ctx, t)
	if ctx.Err() != nil {
		return interruption(ctx, "")
	}
	if code != 0 {
		return exitcode.Wrap(code, fmt.Errorf("the tests exited with status %d", code))
	}
	return nil
}

// exports is the shell line that sets env: export NAME=value ..., in
// name order, the password of a URL shown as xxxxx.
func exports(env map[string]string) []string {
	argv := []string{"export"}
	for _, name := range slices.Sorted(maps.Keys(env)) {
		v := env[name]
		if u, err := url.Parse(v); err == nil && u.User != nil {
			v = u.Redacted()
		}
		argv = append(argv, name+"="+v)
	}
	return argv
}

// deadline reads the duration setting name of env: def when unset, 78
// when it is no positive duration.
func deadline(env map[string]string, name string, def time.Duration) (time.Duration, error) {
	v := env[name]
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, exitcode.Wrap(exitcode.Config, fmt.Errorf("%s=%q is no duration: set it to one such as 90s or 5m", name, v))
	}
	return d, nil
}
