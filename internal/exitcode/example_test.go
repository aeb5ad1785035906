package exitcode_test

import (
	"errors"
	"fmt"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

func ExampleOf() {
	err := fmt.Errorf("check config: %w", exitcode.Wrap(exitcode.Config, errors.New("PORT is not set")))
	fmt.Println(exitcode.Of(err), err)
	fmt.Println(exitcode.Of(errors.New("plain")), exitcode.Of(nil))
	// Output:
	// 78 check config: PORT is not set
	// 1 0
}
