package command_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/entrypoint/entrypoint/internal/command"
)

func ExampleRun() {
	err := command.Run(context.Background(), command.Cmd{
		Argv: []string{"sh", "-c", "echo 'no such image: api:v9' >&2; exit 3"},
		Line: "sh -c ...",
		Env:  os.Environ(),
	})
	var failed *command.Error
	if errors.As(err, &failed) {
		fmt.Println(failed.Status)
		fmt.Println(err)
	}
	// Output:
	// 3
	// sh -c ...: exit status 3: no such image: api:v9
}
