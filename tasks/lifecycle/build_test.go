package lifecycle

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/tasks"
)

const dockerfile = "FROM scratch\nCOPY app /app\n"

func TestBuildDryRunPrintsTheExactCommand(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile, "app": "x"})
	gitIn(t, dir, "tag", "v1.2.0")
	gitIn(t, dir, "remote", "add", "origin", "https://ci:t0ken@git.example.com/acme/api.git")
	rev := gitIn(t, dir, "rev-parse", "HEAD")
	env := map[string]string{
		"ENTRYPOINT_REGISTRY": "registry.example.com/", "ENTRYPOINT_IMAGE": "acme/api",
		"ENTRYPOINT_TAGS": "latest, stable", "SOURCE_DATE_EPOCH": "1700000000",
	}
	o := lifecycleRun(t, dir, env, dryRunOptions, "build", "--tag", "v1", "--file", "build/Dockerfile", "--tag", "latest", "--", "--no-cache")
	require.NoError(t, o.err, o.stderr)
	repo := "registry.example.com/acme/api"
	want := "docker build --file build/Dockerfile" +
		" --tag " + repo + ":" + rev[:12] + " --tag " + repo + ":main --tag " + repo + ":v1 --tag " + repo + ":latest --tag " + repo + ":stable" +
		" --label org.opencontainers.image.created=2023-11-14T22:13:20Z" +
		" --label org.opencontainers.image.revision=" + rev +
		" --label org.opencontainers.image.source=https://git.example.com/acme/api.git" +
		" --label org.opencontainers.image.title=api" +
		" --label org.opencontainers.image.version=v1.2.0" +
		" --build-arg SERVICE_NAME=api --build-arg GIT_COMMIT=" + rev + " --build-arg VERSION=v1.2.0" +
		" --no-cache .\n"
	assert.Equal(t, want, o.stdout, "under --dry-run stdout holds the lines to paste, and no reference")
	assert.Equal(t, `+ git rev-parse HEAD
+ git status --porcelain --untracked-files=normal -- .
+ git rev-parse --abbrev-ref HEAD
+ git describe --tags --always
+ git remote
+ git remote get-url origin
`, o.stderr, "only read-only queries ran, each printed")
	assert.NotContains(t, o.stdout+o.stderr+o.log, "t0ken")
}

func TestBuildVersionAndTheDirtyMark(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile, "app": "x"})
	gitIn(t, dir, "checkout", "--quiet", "--detach")
	short := gitIn(t, dir, "rev-parse", "--short=12", "HEAD")
	o := lifecycleRun(t, dir, map[string]string{"ENTRYPOINT_IMAGE": "api"}, dryRunOptions, "build")
	require.NoError(t, o.err)
	assert.Contains(t, o.stdout, " --tag api:"+short+" --label ", "a detached HEAD has no branch tag")
	assert.Contains(t, o.stdout, " --build-arg VERSION="+short[:7]+" ", "no tag: git describe --always gives the short commit")
	assert.Empty(t, o.log)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "new.txt"), []byte("x"), 0o644))
	o = lifecycleRun(t, dir, map[string]string{"ENTRYPOINT_IMAGE": "api", "ENTRYPOINT_VERSION": "2.0.0"}, dryRunOptions, "build")
	require.NoError(t, o.err)
	assert.Contains(t, o.stdout, " --tag api:"+short+"-dirty --label ")
	assert.Contains(t, o.stdout, " --build-arg VERSION=2.0.0 .", "ENTRYPOINT_VERSION wins over git describe")
	assert.Contains(t, o.log, `"level":"WARN","msg":"the service directory has uncommitted changes; the image tag says so","tag":"`+short+`-dirty"`)
	assert.NotContains(t, o.stderr, "git describe")
}

func TestBuildOutsideGit(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644))
	env := map[string]string{"ENTRYPOINT_IMAGE": "api", "GIT_CEILING_DIRECTORIES": filepath.Dir(dir)}
	o := lifecycleRun(t, dir, env, dryRunOptions, "build")
	assert.Equal(t, 78, o.code)
	assert.Contains(t, o.err.Error(), "the image is tagged with the git commit, but "+dir+" is in no git work tree with a commit")
	assert.Contains(t, o.err.Error(), "set ENTRYPOINT_VERSION to tag it with a version")
	assert.Empty(t, o.stdout)

	env["ENTRYPOINT_VERSION"], env["SOURCE_DATE_EPOCH"] = "1.4.2+build.7", "0"
	o = lifecycleRun(t, dir, env, dryRunOptions, "build")
	require.NoError(t, o.err)
	assert.Equal(t, "docker build --tag api:1.4.2-build.7 --label org.opencontainers.image.created=1970-01-01T00:00:00Z"+
		" --label org.opencontainers.image.title=api --label org.opencontainers.image.version=1.4.2+build.7"+
		" --build-arg SERVICE_NAME=api --build-arg VERSION=1.4.2+build.7 .\n", o.stdout)
	assert.Contains(t, o.log, "not a git work tree with a commit; the image is tagged with ENTRYPOINT_VERSION")
}

func TestBuildRunsTheCompileTaskFirst(t *testing.T) {
	dir := commitService(t, map[string]string{
		"Dockerfile": "FROM scratch\nCOPY dist/ /\n",
		"Procfile":   "compile: go build -o dist/api .\n",
		".gitignore": "dist/\n",
	})
	o := lifecycleRun(t, dir, map[string]string{"ENTRYPOINT_IMAGE": "api"}, dryRunOptions, "build")
	require.NoError(t, o.err)
	lines := strings.Split(o.stdout, "\n")
	require.Len(t, lines, 4, o.stdout)
	assert.Equal(t, "# compile (procfile) in "+dir, lines[0])
	assert.Equal(t, "cd "+dir+" && go build -o dist/api .", lines[1])
	assert.True(t, strings.HasPrefix(lines[2], "docker build --tag api:"), lines[2])

	var ran []tasks.Task
	failing := Options{RunTask: func(_ context.Context, t tasks.Task) int { ran = append(ran, t); return 3 }}
	o = lifecycleRun(t, dir, map[string]string{"ENTRYPOINT_IMAGE": "api"}, failing, "build")
	assert.Equal(t, 3, o.code, "the compile task's own status")
	assert.EqualError(t, o.err, "the compile task failed with status 3; nothing was built")
	require.Len(t, ran, 1)
	assert.Equal(t, []string{"go", "build", "-o", "dist/api", "."}, ran[0].Argv)
	assert.Contains(t, o.stderr, "+ go build -o dist/api .\n", "printed before it runs")
	assert.NotContains(t, o.stderr, "docker build")
	assert.Empty(t, o.stdout)
}

func TestBuildArgumentAndSettingErrors(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile})
	assertFailures(t, dir, "build", map[string]string{"ENTRYPOINT_IMAGE": "api"}, []failure{
		{"unknown flag", nil, []string{"--push"}, 2, "flag provided but not defined: -push (build accepts --file PATH, --tag NAME, -- DOCKER-BUILD-OPTION...)"},
		{"stray operand", nil, []string{"--tag", "v1", "extra"}, 2, `unexpected argument "extra" (build accepts --file PATH, --tag NAME, -- DOCKER-BUILD-OPTION...)`},
		{"invalid tag", nil, []string{"--tag", "v1/x"}, 2, `invalid value "v1/x" for flag -tag: "v1/x" is no valid tag`},
		{"tag with no value", nil, []string{"--tag"}, 2, "flag needs an argument: -tag"},
		{"invalid ENTRYPOINT_TAGS", map[string]string{"ENTRYPOINT_TAGS": "ok,.bad"}, nil, 78, `ENTRYPOINT_TAGS: ".bad" is no valid tag`},
		{"invalid SOURCE_DATE_EPOCH", map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, nil, 78, `SOURCE_DATE_EPOCH="yesterday": want the build time as seconds since 1970-01-01 UTC`},
		{"invalid ENTRYPOINT_IMAGE", map[string]string{"ENTRYPOINT_IMAGE": "Acme/API"}, nil, 78, `"Acme/API" (from ENTRYPOINT_IMAGE) is no valid image name`},
		{"image name with a tag", map[string]string{"ENTRYPOINT_IMAGE": "api:v1"}, nil, 78, `"api:v1" (from ENTRYPOINT_IMAGE) is no valid image name`},
	})
}

// failure is a lifecycle task's run that must fail before it runs
// anything: its settings, its arguments, its status, its message.
type failure struct {
	name string
	env  map[string]string
	args []string
	code int
	msg  string
}

// assertFailures dry-runs task in dir for each case, its env added to
// base, and checks the status and the one-line message; no secret value
// (of a variable named *PASSWORD*) is shown anywhere.
func assertFailures(t *testing.T, dir, task string, base map[string]string, cases []failure) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for _, m := range []map[string]string{base, tc.env} {
				for k, v := range m {
					env[k] = v
				}
			}
			o := lifecycleRun(t, dir, env, dryRunOptions, task, tc.args...)
			assert.Equal(t, tc.code, o.code, "%v", o.err)
			require.Error(t, o.err)
			assert.Contains(t, o.err.Error(), tc.msg)
			assert.NotContains(t, o.err.Error(), "\n", "one line")
			assert.Empty(t, o.stdout, "nothing ran")
			for k, v := range env {
				if strings.Contains(k, "PASSWORD") && !strings.HasSuffix(k, "_FILE") && v != "" {
					assert.NotContains(t, o.err.Error()+o.stderr+o.log, v)
				}
			}
		})
	}
}

func TestBuildHelp(t *testing.T) {
	dir := commitService(t, map[string]string{"Dockerfile": dockerfile})
	o := lifecycleRun(t, dir, nil, Options{}, "build", "-h")
	require.NoError(t, o.err)
	assert.Contains(t, o.stderr, "usage: build [flags] [-- DOCKER-BUILD-OPTION...]\n  --file PATH\n")
	assert.Empty(t, o.stdout)
}
