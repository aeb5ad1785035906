package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary be the child too ("pid1.test child ...").
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Exit(child(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// benchInits are the inits on PATH, plus ours when PID1_ENTRYPOINT names a
// built binary: go test -bench . ./bench/pid1 (PID1_ENTRYPOINT=/tmp/entrypoint).
func benchInits(b *testing.B) []initSpec {
	var specs []initSpec
	if p := os.Getenv("PID1_ENTRYPOINT"); p != "" {
		specs = append(specs, initSpec{"entrypoint", []string{p, "-s", "--"}})
	}
	for _, s := range []initSpec{
		{"tini", []string{"tini", "-s", "--"}},
		{"dumb-init", []string{"dumb-init"}},
		{"catatonit", []string{"catatonit", "--"}},
	} {
		if _, err := exec.LookPath(s.Argv[0]); err == nil {
			specs = append(specs, s)
		}
	}
	if len(specs) == 0 {
		b.Skip("SKIP: no init on PATH (apt-get install tini dumb-init catatonit) and PID1_ENTRYPOINT unset")
	}
	return specs
}

// BenchmarkForwardLatency: one op is one SIGTERM to the init and the
// child's receipt; the metric µs/forward is the init-to-child latency
// measured by the clocks, ns/op adds the harness's own round trip.
func BenchmarkForwardLatency(b *testing.B) {
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	child := []string{self, "child", "forward-latency"}
	for _, spec := range append([]initSpec{{"direct", nil}}, benchInits(b)...) {
		b.Run(spec.Name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			in, err := startInstance(ctx, spec.Name, append(append([]string(nil), spec.Argv...), child...))
			if err != nil {
				b.Fatal(err)
			}
			defer in.stop()
			var us []float64
			for b.Loop() {
				v, _, err := in.sample(ctx)
				if err != nil {
					b.Fatal(err)
				}
				us = append(us, v)
			}
			b.ReportMetric(median(us), "µs/forward")
			b.ReportMetric(percentile(us, 90), "p90-µs/forward")
		})
	}
}

// BenchmarkStartup: one op is fork/exec/wait of "INIT true"; compare with
// the "bare" sub-benchmark.
func BenchmarkStartup(b *testing.B) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Skip("SKIP: no true on PATH")
	}
	for _, spec := range append([]initSpec{{"bare", nil}}, benchInits(b)...) {
		b.Run(spec.Name, func(b *testing.B) {
			argv := append(append([]string(nil), spec.Argv...), truePath)
			path, err := exec.LookPath(argv[0])
			if err != nil {
				b.Fatal(err)
			}
			null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer null.Close()
			attr := &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{null.Fd(), null.Fd(), 2}}
			for b.Loop() {
				pid, err := syscall.ForkExec(path, argv, attr)
				if err != nil {
					b.Fatal(err)
				}
				var ws syscall.WaitStatus
				if _, err := syscall.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 0 {
					b.Fatalf("%s: %v %v", strings.Join(argv, " "), ws, err)
				}
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {50, 3}, {90, 4.6}, {100, 5}} {
		if got := percentile(xs, c.p); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("percentile(%v, %v) = %v, want %v", xs, c.p, got, c.want)
		}
	}
	if xs[0] != 5 {
		t.Error("percentile sorted its input in place")
	}
}

// TestChildProtocol runs the forward-latency child directly: ready, one
// stamp per SIGTERM, exit 0 on stdin EOF.
func TestChildProtocol(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := startInstance(ctx, "direct", []string{self, "child", "forward-latency"})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		us, _, err := in.sample(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if us <= 0 || us > 1e6 {
			t.Errorf("latency %v µs out of range", us)
		}
	}
	if note := in.stop(); note != "" {
		t.Errorf("child did not exit cleanly: %s", note)
	}
}
