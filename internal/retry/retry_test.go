package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/entrypoint/entrypoint/internal/retry"
)

var fast = retry.Policy{Initial: time.Millisecond, Max: 2 * time.Millisecond}

func ExampleDo() {
	err := retry.Do(context.Background(), func(_ context.Context, attempt int) error {
		fmt.Println("attempt", attempt)
		if attempt < 3 {
			return errors.New("connection refused")
		}
		return nil
	}, retry.Policy{Initial: time.Millisecond})
	fmt.Println("err:", err)
	// Output:
	// attempt 1
	// attempt 2
	// attempt 3
	// err: <nil>
}

func TestDo(t *testing.T) {
	refused := errors.New("connection refused")
	fatal := errors.New("unauthorized")
	tests := []struct {
		name     string
		policy   retry.Policy
		failures int   // attempts that fail before success (-1: never succeeds)
		fail     error // what a failing attempt returns
		wantN    int
		wantErr  error
	}{
		{"first try", fast, 0, refused, 1, nil},
		{"after failures", fast, 4, refused, 5, nil},
		{"attempts exhausted", retry.Policy{Initial: time.Millisecond, Attempts: 3}, -1, refused, 3, refused},
		{"one attempt", retry.Policy{Attempts: 1}, -1, refused, 1, refused},
		{"permanent", fast, -1, retry.Permanent(fatal), 1, fatal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := retry.Do(context.Background(), func(context.Context, int) error {
				n++
				if tt.failures < 0 || n <= tt.failures {
					return tt.fail
				}
				return nil
			}, tt.policy)
			if n != tt.wantN {
				t.Errorf("attempts = %d, want %d", n, tt.wantN)
			}
			if err != tt.wantErr { // unwrapped from Permanent, not wrapped further
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	refused := errors.New("connection refused")
	err := retry.Do(ctx, func(ctx context.Context, attempt int) error {
		if attempt == 3 {
			cancel()
			return ctx.Err() // an attempt cut short by the end of ctx
		}
		return refused
	}, fast)
	if err != refused {
		t.Errorf("err = %v, want the last telling error %v, not the cancellation", err, refused)
	}
}

func TestDoContextAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := retry.Do(ctx, func(context.Context, int) error { called = true; return nil }, fast)
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("err = %v, called = %v; want context.Canceled and no attempt", err, called)
	}
}

func TestDoDeadlineDuringPause(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	refused := errors.New("connection refused")
	err := retry.Do(ctx, func(context.Context, int) error { return refused },
		retry.Policy{Initial: time.Hour, Max: time.Hour})
	if err != refused {
		t.Errorf("err = %v, want %v", err, refused)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Do took %v: it must not sit out an hour-long pause", d)
	}
}
