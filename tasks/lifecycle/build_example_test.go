package lifecycle_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/entrypoint/entrypoint/tasks"
	"github.com/entrypoint/entrypoint/tasks/lifecycle"
)

// A dry run of build in a git work tree prints the docker build line:
// the image tagged with the commit and the branch, its OCI labels, the
// build args the base images consume.
func ExampleRun_build() {
	dir, _ := os.MkdirTemp("", "api")
	defer os.RemoveAll(dir)
	env := map[string]string{
		"PATH":                os.Getenv("PATH"),
		"ENTRYPOINT_REGISTRY": "ghcr.io/acme",
		"ENTRYPOINT_IMAGE":    "api",
		"ENTRYPOINT_VERSION":  "1.4.2",
		"SOURCE_DATE_EPOCH":   "1700000000",
		// a commit of fixed content, author and date has a fixed hash
		"GIT_CONFIG_GLOBAL": os.DevNull, "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z",
		"GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
	}
	_ = os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM entrypoint/static\n"), 0o644)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"commit", "-q", "-m", "api"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Println(err, string(out))
		}
	}

	build := tasks.Task{Name: "build", Builtin: true, Dir: dir}
	err := lifecycle.Run(context.Background(), build, lifecycle.Service{Dir: dir, Env: env}, lifecycle.Options{DryRun: true, Stdout: os.Stdout})
	fmt.Println("err:", err)
	// Output:
	// docker build --tag ghcr.io/acme/api:93cce70f189d --tag ghcr.io/acme/api:main --label org.opencontainers.image.created=2023-11-14T22:13:20Z --label org.opencontainers.image.revision=93cce70f189dcbf0b8ac145e98a75011f01fac95 --label org.opencontainers.image.title=api --label org.opencontainers.image.version=1.4.2 --build-arg SERVICE_NAME=api --build-arg GIT_COMMIT=93cce70f189dcbf0b8ac145e98a75011f01fac95 --build-arg VERSION=1.4.2 .
	// err: <nil>
}
