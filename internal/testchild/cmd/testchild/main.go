// Command testchild is the static child the end-to-end tests run under the
// real entrypoint binary, in PID namespaces and FROM scratch containers.
package main

import (
	"os"

	"github.com/entrypoint/entrypoint/internal/testchild"
)

func main() { os.Exit(testchild.Main(os.Args[1:], os.Stdout)) }
