package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/tasks"
)

// These tests drive the CLI core in-process with --dry-run, --list and
// the tasks that start no child; the end-to-end tests in task_e2e_test.go
// run the real binary for the rest.

// taskService writes a Go service with a Procfile into a fresh directory.
func taskService(t *testing.T, procfile string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/api\n"), 0o644))
	if procfile != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte(procfile), 0o644))
	}
	return dir
}

// runIn drives the CLI core with the service directory set by
// ENTRYPOINT_DIR and PATH from the test's environment.
func runIn(t *testing.T, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env = append([]string{"PATH=" + os.Getenv("PATH"), "ENTRYPOINT_DIR=" + dir, "ENTRYPOINT_LOG_FORMAT=json"}, env...)
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"entrypoint"}, args...), env, &out, &errOut)
	return code, out.String(), errOut.String()
}

const apiProcfile = `# serve the API
web: ./api --port ${PORT:-3000}
db_migrate: ./migrate up
test_unit: go test -short ./...
`

func TestTaskNamesAreNormalised(t *testing.T) {
	dir := taskService(t, apiProcfile)
	for _, tc := range []struct {
		args []string
		want string // the command line --dry-run prints
	}{
		{[]string{"test_unit"}, "go test -short ./..."},
		{[]string{"test-unit"}, "go test -short ./..."},
		{[]string{"testUnit"}, "go test -short ./..."},
		{[]string{"TestUnit"}, "go test -short ./..."},
		{[]string{"testunit"}, "go test -short ./..."},
		{[]string{"TEST_UNIT", "-run", "Test X"}, "go test -short ./... -run 'Test X'"},
		{[]string{"run"}, "./api --port 3000"},
		{[]string{"web"}, "./api --port 3000"},
		{[]string{"db-migrate"}, "./migrate up"},
		{[]string{"dbMigrate"}, "./migrate up"},
		{[]string{"dbmigrate"}, "./migrate up"},
		{[]string{"static-analysis"}, "go vet ./..."},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runIn(t, dir, nil, append([]string{"--dry-run"}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			require.Equal(t, "cd "+dir+" && "+tc.want, strings.Split(out, "\n")[1])
		})
	}
}

func TestTaskDispatch(t *testing.T) {
	dir := taskService(t, apiProcfile)
	for _, tc := range []struct {
		name        string
		env         []string
		args        []string
		code        int
		out, errOut string // substrings of stdout and stderr
	}{
		{"procfile task", nil, []string{"--dry-run", "web"}, 0, "# run (procfile) in " + dir + "\n", ""},
		{"preset task", nil, []string{"--dry-run", "static_analysis"}, 0, "# static_analysis (preset:go) in " + dir + "\n", ""},
		{"dry run from env", []string{"ENTRYPOINT_DRY_RUN=1"}, []string{"db_migrate"}, 0, "cd " + dir + " && ./migrate up\n", ""},
		{"expansion from env", []string{"PORT=8080"}, []string{"--dry-run", "run"}, 0, "./api --port 8080\n", ""},
		{"undeclared standard task", nil, []string{"test_sanity"}, 2, "", "entrypoint: task test_sanity: no command: add `test_sanity: COMMAND` to " + dir + "/Procfile\n"},
		{"unknown task and no command", nil, []string{"nope"}, 2, "", `entrypoint: unknown task "nope"; known tasks: build, db_migrate, deploy, publish, run, static_analysis, test_unit; no command "nope" on PATH either` + "\n"},
		{"a command on PATH", nil, []string{"--dry-run", "ls", "-l"}, 0, "# ls (command) in " + dir + "\ncd " + dir + " && ls -l\n", ""},
		{"a path", nil, []string{"--dry-run", "./api"}, 0, "&& ./api\n", ""},
		{"in image", []string{"CI=true", "HELLO_FAIL=1"}, []string{"--dry-run", "--in-image", "api:1", "--pass-env", "HELLO_FAIL", "testUnit", "-v"}, 0, "# test_unit (image:api:1) in " + dir + "\ncd " + dir + " && docker run --rm -i -e CI -e ENTRYPOINT_LOG_FORMAT -e HELLO_FAIL api:1 testUnit -v\n", ""},
		{"in image from env", []string{"ENTRYPOINT_IN_IMAGE=api:1", "ENTRYPOINT_PASS_ENV=A,B", "A=1", "ENTRYPOINT_DOCKER_ARGS=--network  none "}, []string{"--docker-arg", "-v", "--docker-arg", "/a:/b", "--dry-run", "nope"}, 0, "docker run --rm -i -e A -e ENTRYPOINT_LOG_FORMAT --network none -v /a:/b api:1 nope\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runIn(t, dir, tc.env, tc.args...)
			require.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			assert.Contains(t, out, tc.out)
			assert.Contains(t, errOut, tc.errOut)
		})
	}
}

func TestTaskBrokenProcfile(t *testing.T) {
	dir := taskService(t, "web: ./api 'unterminated\n")
	code, _, errOut := runIn(t, dir, nil, "run")
	require.Equal(t, 2, code)
	require.Equal(t, "entrypoint: "+dir+"/Procfile:1: entry \"web\": unterminated single quote\n", errOut)

	// A command still runs where the Procfile is broken: PID 1 of an image
	// must not depend on a file its command does not use.
	code, out, _ := runIn(t, dir, nil, "--dry-run", "ls")
	require.Equal(t, 0, code)
	require.Contains(t, out, "&& ls\n")
	require.Contains(t, out, `"msg":"service tasks not loaded; running the command"`)
}

func TestTaskList(t *testing.T) {
	dir := taskService(t, apiProcfile)
	code, out, errOut := runIn(t, dir, nil, "--list")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, `build             built-in   build the service image, tagged with the git revision
db_migrate        procfile
deploy            built-in   deploy the image by digest (runs release first)
publish           built-in   push the image; promote an existing image by digest
run               procfile   serve the API
static_analysis   preset:go  static analysis (vet, lint)
test_integration  none       integration tests against the service and its dependencies
test_sanity       none       sanity tests against the deployed service
test_unit         procfile   unit tests
`, out)

	code, out, _ = runIn(t, t.TempDir(), nil, "--list")
	require.Equal(t, 0, code)
	require.Contains(t, out, "test_unit         none")

	code, _, errOut = runIn(t, taskService(t, "web ./api\n"), nil, "--list")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "Procfile:1: no colon")

	code, _, errOut = runIn(t, dir, nil, "--list", "--in-image", "api:1")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "docker run --rm api:1 --list")
}

func TestTaskHooksGoWithTheServiceOnly(t *testing.T) {
	dir := taskService(t, "web: ./api\nprestart: ./migrate up\npoststop: ./flush\ntest_unit: go test ./...\n")
	reg, err := tasks.Load(dir, nil)
	require.NoError(t, err)
	c := &config{}
	handOverHooks(c, reg)
	require.Equal(t, []string{"./migrate", "up"}, c.hooks.prestart)
	require.Nil(t, c.hooks.prestop)
	require.Equal(t, []string{"./flush"}, c.hooks.poststop)
	handOverHooks(c, nil) // no registry: nothing changes
	require.Equal(t, []string{"./flush"}, c.hooks.poststop)
}
