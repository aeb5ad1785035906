package baseimagetest_test

import (
	"testing"

	"github.com/entrypoint/entrypoint/internal/baseimagetest"
)

// A test builds the base images, an example on them, and runs the
// example's unit tests in its image, offline.
func ExampleBases_Example() {
	test := func(t *testing.T) {
		b := baseimagetest.Build(t)
		img := b.Example(t, "helloworld-python")
		if r := img.Run(t, []string{"--network", "none"}, "test_unit"); r.Code != 0 {
			t.Fatalf("test_unit in %s: %v", img.Ref, r)
		}
	}
	_ = test
}
