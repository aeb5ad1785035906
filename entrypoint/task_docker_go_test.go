package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
)

// The Go example's image is FROM entrypoint/static: no toolchain, its
// tests compiled by its Procfile's compile entry (go test -c) and run by
// the image's own Procfile (examples/helloworld-go/dist/Procfile). Natively
// test_unit is `go test -v .`, which runs the same tests with the same
// output and adds a summary: a line for the package, and a last FAIL when
// a package failed.

// goSummary is that summary, at the end of the report.
var goSummary = regexp.MustCompile(`(?m)^(ok  |FAIL)\t\S+\tT\n(FAIL\n)?\z`)

// withoutGoSummary is a native report as the compiled tests print it.
func withoutGoSummary(t *testing.T) func(string) string {
	return func(report string) string {
		t.Helper()
		require.Regexp(t, goSummary, report, "go test's summary ends the native report")
		return goSummary.ReplaceAllString(report, "")
	}
}

// testTaskParityGo runs the Go example's test_unit natively, as `docker
// run IMAGE test_unit` and as `entrypoint --in-image IMAGE test_unit`:
// the same status and the same test output, passing and failing.
func testTaskParityGo(t *testing.T, img *dockertest.Image) {
	dir := example(t, "helloworld-go")
	pkg := "github.com/entrypoint/entrypoint/examples/helloworld-go"
	for _, tc := range []struct {
		name string
		fail string
		code int
		want []string
	}{
		{"passing", "0", 0, []string{"--- PASS: TestHello (T)\n", "PASS\nok  \t" + pkg + "\tT\n"}},
		{"failing", "1", 1, []string{"--- FAIL: TestHello (T)\n", "HELLO_FAIL=1: failing on purpose\n", "FAIL\nFAIL\t" + pkg + "\tT\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// -count=1: a test result cached on this machine would say
			// "(cached)" where the fresh container cannot.
			env := []string{"GOFLAGS=-count=1", "ENTRYPOINT_LOG_FORMAT=json", "HELLO_FAIL=" + tc.fail}
			native, _ := threeWays(t, dir, img, env, tc.code, withoutGoSummary(t))
			for _, line := range tc.want {
				assert.Contains(t, normalised(native.report), line)
			}
		})
	}
}
