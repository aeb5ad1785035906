package release_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/release"
)

func ExampleBuild() {
	out, _ := os.MkdirTemp("", "dist")
	defer os.RemoveAll(out)

	env := environ.Map(os.Environ()) // PATH, HOME, GOCACHE… for git and go
	env["ENTRYPOINT_VERSION"] = "v1.2.3"
	a, err := release.Build(context.Background(), release.Options{
		Dir:       "../..", // the module root
		OutDir:    out,
		Platforms: []string{"linux/amd64"},
		Env:       env,
		Stderr:    os.Stderr, // `+ git rev-parse HEAD`, `+ … go build …`
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Version)
	for _, f := range a.Binaries {
		fmt.Println(f.Platform, filepath.Base(f.Path), len(f.SHA256))
	}
	fmt.Println(filepath.Base(a.Sums))
	// Output:
	// v1.2.3
	// linux/amd64 entrypoint-linux-amd64 64
	// SHA256SUMS
}
