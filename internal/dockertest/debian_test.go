package dockertest_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/dockertest"
)

func TestDebianRootRefNamesThePackages(t *testing.T) {
	a := dockertest.DebianRoot{Name: "python", Suite: "bookworm", Packages: []string{"python3"}}
	b := dockertest.DebianRoot{Name: "python", Suite: "bookworm", Packages: []string{"python3", "python3-pytest"}}
	assert.True(t, strings.HasPrefix(a.Ref(), "entrypoint-e2e/python:bookworm-"), a.Ref())
	assert.NotEqual(t, a.Ref(), b.Ref(), "a new package list is a new image")
	ref := a.Ref()
	a.Mirror = "http://mirror.example/debian"
	assert.Equal(t, ref, a.Ref(), "the mirror is where the packages come from, not what they are")
}

func TestLockTakesTurns(t *testing.T) {
	name := "dockertest-lock-test-" + t.Name()
	var released atomic.Bool
	unlock := dockertest.Lock(t, name)
	done := make(chan bool)
	go func() {
		defer dockertest.Lock(t, name)()
		done <- released.Load()
	}()
	released.Store(true)
	unlock()
	require.True(t, <-done, "the second holder got the lock after the first released it")
}
