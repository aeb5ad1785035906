package tasks

import (
	"io/fs"
	"path"
)

// Preset is the default commands of a language, used for the standard
// tasks a service's Procfile does not declare.
type Preset struct {
	Language string              // "go", "python" or "node"
	Commands map[string][]string // canonical task name → argv
	Env      map[string]string   // variables its commands add to the environment
}

// Source is where the tasks of this preset come from: "preset:go".
func (p Preset) Source() Source { return Source("preset:" + p.Language) }

// DetectPreset returns the preset of the service whose files are fsys, by
// the first marker found: go.mod (go); pyproject.toml, requirements.txt or
// setup.py (python); package.json (node). A service with several (a Go
// service with a node front end) gets the first language in that order.
//
// The defaults, each overridden by a Procfile entry of the same name:
//
//	go      static_analysis  go vet ./...
//	        test_unit        go test ./...
//	        run              go run .
//	python  static_analysis  python3 -m compileall -q -x '/(\.[^/]+|venv|node_modules)/' .
//	        test_unit        python3 -m pytest
//	        run              python3 main.py | python3 app.py | python3 -m app
//	node    static_analysis  npm run lint
//	        test_unit        npm test
//	        run              npm start
//
// Python's static analysis is compileall because it is in the standard
// library of every python3 (Debian's python3 included), while pyflakes
// needs python3-pyflakes or pip: it reports syntax errors only, skips
// hidden directories, venv and node_modules, and writes its bytecode under
// PYTHONPYCACHEPREFIX=$TMPDIR/entrypoint-pycache (TMPDIR from env, else
// /tmp) instead of into the source tree, which may be read-only or owned by
// another user. Declare `static_analysis: python3 -m pyflakes .` (or ruff)
// for a real linter. Python's run is the first of main.py, app.py and
// app/__main__.py that exists; with none, run has no preset.
func DetectPreset(fsys fs.FS, env map[string]string) (Preset, bool) {
	switch {
	case exists(fsys, "go.mod"):
		return goPreset(), true
	case exists(fsys, "pyproject.toml", "requirements.txt", "setup.py"):
		return pythonPreset(fsys, env), true
	case exists(fsys, "package.json"):
		return nodePreset(), true
	}
	return Preset{}, false
}

func goPreset() Preset {
	return Preset{Language: "go", Commands: map[string][]string{
		"static_analysis": {"go", "vet", "./..."},
		"test_unit":       {"go", "test", "./..."},
		"run":             {"go", "run", "."},
	}}
}

func nodePreset() Preset {
	return Preset{Language: "node", Commands: map[string][]string{
		"static_analysis": {"npm", "run", "lint"},
		"test_unit":       {"npm", "test"},
		"run":             {"npm", "start"},
	}}
}

func pythonPreset(fsys fs.FS, env map[string]string) Preset {
	p := Preset{Language: "python", Commands: map[string][]string{
		"static_analysis": {"python3", "-m", "compileall", "-q", "-x", `/(\.[^/]+|venv|node_modules)/`, "."},
		"test_unit":       {"python3", "-m", "pytest"},
	}}
	p.Env = map[string]string{"PYTHONPYCACHEPREFIX": path.Join(tmpDir(env), "entrypoint-pycache")}
	if run := pythonRun(fsys); run != nil {
		p.Commands["run"] = run
	}
	return p
}

// pythonRun is the command that starts a python service, or nil.
func pythonRun(fsys fs.FS) []string {
	switch {
	case exists(fsys, "main.py"):
		return []string{"python3", "main.py"}
	case exists(fsys, "app.py"):
		return []string{"python3", "app.py"}
	case exists(fsys, "app/__main__.py"):
		return []string{"python3", "-m", "app"}
	}
	return nil
}

// tmpDir is the directory for temporary files: TMPDIR, else /tmp.
func tmpDir(env map[string]string) string {
	if dir := env["TMPDIR"]; dir != "" {
		return dir
	}
	return "/tmp"
}

// exists reports whether any of names is a file or directory in fsys.
func exists(fsys fs.FS, names ...string) bool {
	for _, name := range names {
		if _, err := fs.Stat(fsys, name); err == nil {
			return true
		}
	}
	return false
}
