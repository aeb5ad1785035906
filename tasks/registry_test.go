package tasks

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/stretchr/testify/require"
)

// service writes files (name → content) into a fresh directory.
func service(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	return dir
}

func load(t *testing.T, files map[string]string, env map[string]string) *Registry {
	t.Helper()
	r, err := Load(service(t, files), env)
	require.NoError(t, err)
	return r
}

const goProcfile = `# fast tests only
test_unit: go test -short ./...
web: ./api --port $PORT
db_migrate: ./migrate
release: ./migrate up
empty: $UNSET
`

func TestResolve(t *testing.T) {
	r := load(t, map[string]string{"go.mod": "module x", "Procfile": goProcfile}, map[string]string{"PORT": "80"})
	for _, tc := range []struct {
		name        string
		args        []string
		want        string // canonical name
		source      Source
		argv        []string
		description string
	}{
		{"test_unit", nil, "test_unit", SourceProcfile, []string{"go", "test", "-short", "./..."}, "fast tests only"},
		{"testUnit", []string{"-run", "X"}, "test_unit", SourceProcfile, []string{"go", "test", "-short", "./...", "-run", "X"}, "fast tests only"},
		{"static-analysis", nil, "static_analysis", "preset:go", []string{"go", "vet", "./..."}, "static analysis (vet, lint)"},
		{"run", nil, "run", SourceProcfile, []string{"./api", "--port", "80"}, "run the service"},
		{"web", []string{"-v"}, "run", SourceProcfile, []string{"./api", "--port", "80", "-v"}, "run the service"},
		{"db-migrate", nil, "db_migrate", SourceProcfile, []string{"./migrate"}, ""},
		{"dbmigrate", nil, "db_migrate", SourceProcfile, []string{"./migrate"}, ""},
		{"DbMigrate", nil, "db_migrate", SourceProcfile, []string{"./migrate"}, ""},
		{"release", nil, "release", SourceProcfile, []string{"./migrate", "up"}, "runs before deploy"},
		{"build", []string{"--push"}, "build", SourceBuiltin, nil, "build the service image, tagged with the git revision"},
	} {
		got, err := r.Resolve(tc.name, tc.args)
		if err != nil {
			t.Errorf("Resolve(%q): %v", tc.name, err)
			continue
		}
		if got.Name != tc.want || got.Source != tc.source || !slices.Equal(got.Argv, tc.argv) || got.Description != tc.description || got.Dir != r.Dir {
			t.Errorf("Resolve(%q) = %+v", tc.name, got)
		}
		if !slices.Equal(got.Args, tc.args) || got.Builtin != (tc.source == SourceBuiltin) {
			t.Errorf("Resolve(%q): Args %q, Builtin %v", tc.name, got.Args, got.Builtin)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	r := load(t, map[string]string{"go.mod": "module x", "Procfile": goProcfile}, nil)
	for _, tc := range []struct {
		name   string
		target error
		code   int
		msg    string
	}{
		{"nope", ErrUnknown, exitcode.Usage, `unknown task "nope"; known tasks: build, db_migrate, deploy, empty, publish, release, run, static_analysis, test_unit`},
		{"ls", ErrUnknown, exitcode.Usage, `unknown task "ls"`},
		{"test_sanity", ErrNoCommand, exitcode.Usage, "task test_sanity: no command: add `test_sanity: COMMAND` to " + filepath.Join(r.Dir, "Procfile")},
		{"testIntegration", ErrNoCommand, exitcode.Usage, "task test_integration: no command"},
		{"empty", ErrNoCommand, exitcode.Config, `task empty: no command: ` + filepath.Join(r.Dir, "Procfile") + `:6: "$UNSET" expands to no words`},
	} {
		_, err := r.Resolve(tc.name, nil)
		if !errors.Is(err, tc.target) || exitcode.Of(err) != tc.code || !strings.HasPrefix(err.Error(), tc.msg) {
			t.Errorf("Resolve(%q) = %v (exit %d), want %v, exit %d, %q", tc.name, err, exitcode.Of(err), tc.target, tc.code, tc.msg)
		}
	}
}

func TestResolveAmbiguousSquash(t *testing.T) {
	r := load(t, map[string]string{"Procfile": "a_bc: x\nab_c: y\n"}, nil)
	if _, err := r.Resolve("abc", nil); !errors.Is(err, ErrUnknown) {
		t.Errorf("Resolve(abc) = %v, want ErrUnknown", err)
	}
	if got, err := r.Resolve("abC", nil); err != nil || got.Name != "ab_c" {
		t.Errorf("Resolve(abC) = %+v, %v", got, err)
	}
}

func TestResolveProcfileWinsOverBuiltin(t *testing.T) {
	r := load(t, map[string]string{"Procfile": "build: make image\n"}, nil)
	got, err := r.Resolve("build", []string{"-j2"})
	if err != nil || got.Builtin || got.Source != SourceProcfile || !slices.Equal(got.Argv, []string{"make", "image", "-j2"}) {
		t.Errorf("Resolve(build) = %+v, %v", got, err)
	}
}

func TestResolveDoesNotShareArgv(t *testing.T) {
	r := load(t, map[string]string{"Procfile": "x: a b\n"}, nil)
	first, _ := r.Resolve("x", []string{"1"})
	second, _ := r.Resolve("x", []string{"2"})
	first.Argv[0] = "changed"
	if !slices.Equal(second.Argv, []string{"a", "b", "2"}) {
		t.Errorf("second Argv = %q", second.Argv)
	}
	if again, _ := r.Resolve("x", nil); !slices.Equal(again.Argv, []string{"a", "b"}) {
		t.Errorf("Argv after two resolutions = %q", again.Argv)
	}
}

func TestResolvePresetEnv(t *testing.T) {
	r := load(t, map[string]string{"requirements.txt": "", "Procfile": "test_unit: python3 -m unittest\n"}, map[string]string{"TMPDIR": "/t"})
	lint, _ := r.Resolve("static_analysis", nil)
	unit, _ := r.Resolve("test_unit", nil)
	if lint.Env["PYTHONPYCACHEPREFIX"] != "/t/entrypoint-pycache" || unit.Env != nil {
		t.Errorf("preset env %q, procfile env %q", lint.Env, unit.Env)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := service(t, map[string]string{"Procfile": "web: ok\nbad line\n"})
	_, err := Load(dir, nil)
	want := filepath.Join(dir, "Procfile") + `:2: no colon`
	if exitcode.Of(err) != exitcode.Usage || err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load malformed = %v, want exit 2 and %q", err, want)
	}
	dir = service(t, map[string]string{"Procfile/x": ""})
	if _, err := Load(dir, nil); exitcode.Of(err) != exitcode.Failure {
		t.Errorf("Load unreadable = %v (exit %d), want exit 1", err, exitcode.Of(err))
	}
}

func TestLoadNothing(t *testing.T) {
	r := load(t, nil, nil)
	if r.Preset != nil || len(r.Procfile.Entries) != 0 || !filepath.IsAbs(r.Dir) {
		t.Errorf("Load(empty dir) = %+v", r)
	}
	if _, err := r.Resolve("run", nil); !errors.Is(err, ErrNoCommand) {
		t.Errorf("Resolve(run) = %v, want ErrNoCommand", err)
	}
}
