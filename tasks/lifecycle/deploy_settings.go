package lifecycle

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// deploySettings are deploy's settings, read from the service's
// environment (docs/deploy.md lists them).
type deploySettings struct {
	Target    string        `env:"ENTRYPOINT_DEPLOY_TARGET"`
	Image     string        `env:"ENTRYPOINT_DEPLOY_IMAGE"`
	Name      string        `env:"ENTRYPOINT_DEPLOY_NAME"`
	Args      []string      `env:"ENTRYPOINT_DEPLOY_ARGS" envSeparator:" "`
	Timeout   time.Duration `env:"ENTRYPOINT_DEPLOY_TIMEOUT" envDefault:"2m"`
	Replicas  int           `env:"ENTRYPOINT_DEPLOY_REPLICAS" envDefault:"1"`
	Port      int           `env:"ENTRYPOINT_DEPLOY_PORT"`
	Env       []string      `env:"ENTRYPOINT_DEPLOY_ENV"`
	Namespace string        `env:"ENTRYPOINT_KUBE_NAMESPACE"`
	Context   string        `env:"ENTRYPOINT_KUBE_CONTEXT"`

	replicasSet bool // ENTRYPOINT_DEPLOY_REPLICAS is set: a swarm update applies it too
}

// targets are the values of ENTRYPOINT_DEPLOY_TARGET.
var targets = []string{"docker", "swarm", "kubernetes"}

// deploySettingsFrom parses and checks the settings in vars, and reports
// every bad one at once (78), each naming its variable.
func deploySettingsFrom(vars map[string]string) (deploySettings, error) {
	var cfg deploySettings
	var problems []string
	unparsed := map[string]bool{}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: vars}); err != nil {
		problems, unparsed = envProblems(err, reflect.TypeOf(cfg))
	}
	cfg.Args, cfg.Env = words(cfg.Args), words(cfg.Env)
	_, cfg.replicasSet = vars["ENTRYPOINT_DEPLOY_REPLICAS"]
	if _, set := vars["ENTRYPOINT_DEPLOY_PORT"]; !set {
		cfg.Port = 8080
		if p := vars["PORT"]; p != "" {
			n, err := strconv.Atoi(p)
			if err != nil {
				problems = append(problems, fmt.Sprintf("PORT: %q is no port number (set ENTRYPOINT_DEPLOY_PORT)", p))
				unparsed["ENTRYPOINT_DEPLOY_PORT"] = true
			}
			cfg.Port = n
		}
	}
	problems = append(problems, cfg.check(vars, unparsed)...)
	if len(problems) > 0 {
		return cfg, exitcode.Wrap(exitcode.Config, errors.New(strings.Join(problems, "; ")))
	}
	return cfg, nil
}

// check finds the values that parse but mean nothing, leaving out the
// variables that did not parse.
func (cfg deploySettings) check(vars map[string]string, unparsed map[string]bool) []string {
	var problems []string
	bad := func(name, format string, args ...any) {
		if !unparsed[name] {
			problems = append(problems, name+fmt.Sprintf(format, args...))
		}
	}
	switch {
	case cfg.Target == "":
		bad("ENTRYPOINT_DEPLOY_TARGET", " is not set: set it to %s", oneOf(targets))
	case !slices.Contains(targets, cfg.Target):
		bad("ENTRYPOINT_DEPLOY_TARGET", ": unknown target %q (want %s)", cfg.Target, oneOf(targets))
	}
	if cfg.Timeout <= 0 {
		bad("ENTRYPOINT_DEPLOY_TIMEOUT", ": want a positive duration such as 2m, not %s", cfg.Timeout)
	}
	if cfg.Replicas < 1 {
		bad("ENTRYPOINT_DEPLOY_REPLICAS", ": want 1 or more, not %d", cfg.Replicas)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		bad("ENTRYPOINT_DEPLOY_PORT", ": want a port from 1 to 65535, not %d", cfg.Port)
	}
	for _, name := range cfg.Env {
		_, set := vars[name]
		switch {
		case !envName().MatchString(name):
			bad("ENTRYPOINT_DEPLOY_ENV", ": %q is no variable name (list names, comma-separated)", name)
		case !set:
			bad("ENTRYPOINT_DEPLOY_ENV", " names %s, which is not set", name)
		}
	}
	return problems
}

var envName = pattern(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Names each target accepts: docker's container names; a DNS label for a
// swarm service (it becomes a DNS name) and a Kubernetes object, which
// wants it lower case and at most 63 characters.
var (
	dockerName = pattern(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	swarmName  = pattern(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	kubeName   = pattern(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// checkName checks the deploy name against the target's rules.
func checkName(cfg deploySettings, name string) error {
	rules := map[string]struct {
		re   func() *regexp.Regexp
		want string
	}{
		"docker":     {dockerName, "letters, digits, '_', '.' and '-', starting with a letter or digit"},
		"swarm":      {swarmName, "at most 63 letters, digits and '-', not starting or ending with '-'"},
		"kubernetes": {kubeName, "at most 63 lower-case letters, digits and '-', not starting or ending with '-'"},
	}
	rule := rules[cfg.Target]
	if rule.re().MatchString(name) {
		return nil
	}
	if cfg.Name != "" {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("ENTRYPOINT_DEPLOY_NAME: %q is no valid %s name (want %s)", name, cfg.Target, rule.want))
	}
	return exitcode.Wrap(exitcode.Config, fmt.Errorf("the deploy name %q, taken from the image's name, is no valid %s name (want %s): set ENTRYPOINT_DEPLOY_NAME", name, cfg.Target, rule.want))
}

// envProblems names the variable behind each of caarlos0/env's errors,
// and returns the set of those variables.
func envProblems(err error, t reflect.Type) ([]string, map[string]bool) {
	unparsed := map[string]bool{}
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return []string{err.Error()}, unparsed
	}
	var problems []string
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				name := strings.Split(f.Tag.Get("env"), ",")[0]
				unparsed[name] = true
				problems = append(problems, fmt.Sprintf("%s: %v", name, pe.Err))
				continue
			}
		}
		problems = append(problems, e.Error())
	}
	return problems, unparsed
}

// words drops the empty words a doubled separator leaves in a list, and
// the space around each.
func words(list []string) []string {
	var kept []string
	for _, w := range list {
		if w = strings.TrimSpace(w); w != "" {
			kept = append(kept, w)
		}
	}
	return kept
}

// oneOf is "a, b or c".
func oneOf(list []string) string {
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}
