package tasks

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestDetectPreset(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("x")}
	for _, tc := range []struct {
		name     string
		files    []string
		language string
		run      []string
	}{
		{"empty", nil, "", nil},
		{"go", []string{"go.mod"}, "go", []string{"go", "run", "."}},
		{"pyproject", []string{"pyproject.toml"}, "python", nil},
		{"requirements", []string{"requirements.txt", "main.py"}, "python", []string{"python3", "main.py"}},
		{"setup.py", []string{"setup.py", "app.py"}, "python", []string{"python3", "app.py"}},
		{"main before app", []string{"setup.py", "app.py", "main.py"}, "python", []string{"python3", "main.py"}},
		{"app package", []string{"pyproject.toml", "app/__main__.py"}, "python", []string{"python3", "-m", "app"}},
		{"node", []string{"package.json"}, "node", []string{"npm", "start"}},
		{"go wins over node", []string{"package.json", "go.mod"}, "go", []string{"go", "run", "."}},
		{"python wins over node", []string{"package.json", "requirements.txt"}, "python", nil},
		{"markers elsewhere", []string{"sub/go.mod", "sub/package.json"}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, name := range tc.files {
				fsys[name] = file
			}
			p, ok := DetectPreset(fsys, nil)
			if ok != (tc.language != "") || p.Language != tc.language {
				t.Fatalf("DetectPreset = %q, %v; want %q", p.Language, ok, tc.language)
			}
			if run := p.Commands["run"]; !slices.Equal(run, tc.run) {
				t.Errorf("run = %q, want %q", run, tc.run)
			}
		})
	}
}

func TestPresetCommands(t *testing.T) {
	for _, tc := range []struct {
		marker, source           string
		staticAnalysis, testUnit []string
	}{
		{"go.mod", "preset:go", []string{"go", "vet", "./..."}, []string{"go", "test", "./..."}},
		{"requirements.txt", "preset:python", []string{"python3", "-m", "compileall", "-q", "-x", `/(\.[^/]+|venv|node_modules)/`, "."}, []string{"python3", "-m", "pytest"}},
		{"package.json", "preset:node", []string{"npm", "run", "lint"}, []string{"npm", "test"}},
	} {
		p, _ := DetectPreset(fstest.MapFS{tc.marker: {}}, nil)
		if p.Source() != Source(tc.source) || !slices.Equal(p.Commands["static_analysis"], tc.staticAnalysis) || !slices.Equal(p.Commands["test_unit"], tc.testUnit) {
			t.Errorf("%s: got %s %q", tc.marker, p.Source(), p.Commands)
		}
		for name := range p.Commands {
			if !isStandard(name) || lifecycle[name] {
				t.Errorf("%s: preset command %q is not a standard workload task", tc.marker, name)
			}
		}
	}
}

func TestPythonPresetEnv(t *testing.T) {
	fsys := fstest.MapFS{"pyproject.toml": {}}
	for env, want := range map[string]string{"": "/tmp/entrypoint-pycache", "/var/tmp": "/var/tmp/entrypoint-pycache"} {
		p, _ := DetectPreset(fsys, map[string]string{"TMPDIR": env})
		if got := p.Env["PYTHONPYCACHEPREFIX"]; got != want {
			t.Errorf("TMPDIR=%q: PYTHONPYCACHEPREFIX = %q, want %q", env, got, want)
		}
	}
}
