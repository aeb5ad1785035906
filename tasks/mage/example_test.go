package mage_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/magefile/mage/mg"

	"github.com/entrypoint/entrypoint/tasks/mage"
)

func ExampleRunner_Run() {
	dir, _ := os.MkdirTemp("", "service")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "Procfile"), []byte("test_unit: echo tests ran\ncheck: sh -c 'exit 3'\n"), 0o644)

	r := mage.Runner{Dir: dir, Env: []string{"PATH=/usr/bin:/bin"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, name := range []string{"testUnit", "check", "nope"} {
		err := r.Run(context.Background(), name)
		fmt.Println(name, "→ exit", mg.ExitStatus(err))
	}
	// Output:
	// tests ran
	// testUnit → exit 0
	// check → exit 3
	// nope → exit 2
}
