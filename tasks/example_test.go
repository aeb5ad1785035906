package tasks_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/tasks"
)

func ExampleCanonical() {
	for _, name := range []string{"test_unit", "test-unit", "testUnit", "testunit", "TestUnit", "web", "dbMigrate"} {
		fmt.Println(name, "→", tasks.Canonical(name))
	}
	// Output:
	// test_unit → test_unit
	// test-unit → test_unit
	// testUnit → test_unit
	// testunit → test_unit
	// TestUnit → test_unit
	// web → run
	// dbMigrate → db_migrate
}

func ExampleParseProcfile() {
	const procfile = `# serve the API
web: ./api --port ${PORT:-3000} --greeting "hello, $USER" --raw '$USER'
test_unit: go test -race ./...
`
	env := map[string]string{"PORT": "8080", "USER": "ada"}
	p, err := tasks.ParseProcfile("Procfile", strings.NewReader(procfile), env)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range p.Entries {
		fmt.Printf("%s (%q): %q\n", e.Name, e.Description, e.Argv)
	}

	_, err = tasks.ParseProcfile("Procfile", strings.NewReader("web: echo 'hi\n"), env)
	fmt.Println(exitcode.Of(err), err)
	// Output:
	// run ("serve the API"): ["./api" "--port" "8080" "--greeting" "hello, ada" "--raw" "$USER"]
	// test_unit (""): ["go" "test" "-race" "./..."]
	// 2 Procfile:1: entry "web": unterminated single quote
}

func ExampleRegistry_Resolve() {
	dir, _ := os.MkdirTemp("", "service")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/api\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "Procfile"), []byte("web: ./api\n"), 0o644)

	r, _ := tasks.Load(dir, nil)
	for _, name := range []string{"testUnit", "web", "build"} {
		t, _ := r.Resolve(name, []string{"-v"})
		fmt.Println(t.Name, t.Source, t.Argv, t.Builtin)
	}
	_, err := r.Resolve("nope", nil)
	fmt.Println(errors.Is(err, tasks.ErrUnknown), exitcode.Of(err), err)
	// Output:
	// test_unit preset:go [go test ./... -v] false
	// run procfile [./api -v] false
	// build built-in [] true
	// true 2 unknown task "nope"; known tasks: build, deploy, publish, run, static_analysis, test_unit
}

func ExampleWriteList() {
	list := []tasks.Task{
		{Name: "run", Source: tasks.SourceProcfile, Description: "run the service"},
		{Name: "test_unit", Source: "preset:go", Description: "unit tests"},
		{Name: "test_sanity", Source: tasks.SourceNone, Description: "sanity tests against the deployed service"},
	}
	_ = tasks.WriteList(os.Stdout, list)
	// Output:
	// run          procfile   run the service
	// test_unit    preset:go  unit tests
	// test_sanity  none       sanity tests against the deployed service
}

func ExampleDryRun() {
	t := tasks.Task{
		Name:   "test_unit",
		Source: "preset:python",
		Dir:    "/srv/app",
		Argv:   []string{"python3", "-m", "pytest", "-k", "not slow", "it's"},
		Env:    map[string]string{"PYTHONPYCACHEPREFIX": "/tmp/entrypoint-pycache"},
	}
	fmt.Print(tasks.DryRun(t))
	// Output:
	// # test_unit (preset:python) in /srv/app; adds env: PYTHONPYCACHEPREFIX
	// cd /srv/app && python3 -m pytest -k 'not slow' 'it'\''s'
}

func ExampleImageRun_Task() {
	run := tasks.ImageRun{
		Image: "registry.example/api:3f2c1d",
		Dir:   "/srv/api",
		Env:   map[string]string{"CI": "true", "ENTRYPOINT_STOP_TIMEOUT": "5s", "DB_PASSWORD": "hunter2"},
	}
	t := run.Task("test-unit", []string{"-run", "TestHealth"})
	fmt.Println(t.Name, t.Source)
	fmt.Println(tasks.Quote(t.Argv...))
	// Output:
	// test_unit image:registry.example/api:3f2c1d
	// docker run --rm -i -e CI -e ENTRYPOINT_STOP_TIMEOUT registry.example/api:3f2c1d test-unit -run TestHealth
}
