package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/entrypoint/entrypoint/internal/needs"
)

// These tests run the real binary, and `go tool mage`, on the examples and
// on small services written by the test.

// example is the absolute directory of examples/NAME.
func example(t testing.TB, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "examples", name))
	require.NoError(t, err)
	return dir
}

// toolEnv is the test's environment without the variables that change
// the test tools' reports: pytest prints whole failure lines when CI or
// BUILD_NUMBER is set, and CI sets CI. Every mode of a parity test gets
// the same inputs, so a mode that is not handed CI (a plain docker run)
// reports like the others.
func toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "BUILD_NUMBER=") && !strings.HasPrefix(kv, "COLUMNS=") {
			env = append(env, kv)
		}
	}
	return env
}

// pythonPath is a PATH whose python3 has pytest: Debian's python3-pytest
// installs pytest-3 next to the python3 it belongs to, which goes first.
func pythonPath(t testing.TB) string {
	t.Helper()
	return filepath.Dir(needs.Command(t, "pytest-3")) + ":" + os.Getenv("PATH")
}

// outcome is what a task run left: its status, its report (the task's own
// output, without entrypoint's JSON log lines) and those log lines.
type outcome struct {
	code   int
	report string
	logs   []map[string]any
	stderr string
}

// runTool runs argv in dir with the test's environment plus env.
func runTool(t *testing.T, dir string, env []string, argv ...string) outcome {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(toolEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
	}
	o := outcome{code: cmd.ProcessState.ExitCode(), stderr: stderr.String()}
	var report []string
	for _, line := range strings.SplitAfter(stdout.String(), "\n") {
		var entry map[string]any
		if strings.HasPrefix(line, `{"time":`) && json.Unmarshal([]byte(line), &entry) == nil {
			o.logs = append(o.logs, entry)
			continue
		}
		report = append(report, line)
	}
	o.report = strings.Join(report, "")
	return o
}

// durations are the only part of a test report that differs between runs.
var durations = regexp.MustCompile(`\d+(\.\d+)?m?s\b`)

func normalised(report string) string { return durations.ReplaceAllString(report, "T") }

// logsOf returns the log entries with msg.
func logsOf(o outcome, msg string) []map[string]any {
	var found []map[string]any
	for _, l := range o.logs {
		if l["msg"] == msg {
			found = append(found, l)
		}
	}
	return found
}

func TestTaskParityBinaryAndMage(t *testing.T) {
	bins := e2eBins(t)
	needs.Command(t, "go")
	for _, tc := range []struct {
		example string
		path    func(testing.TB) string
		passes  []string // lines of a passing report
		fails   []string // lines of a failing one
	}{
		{"helloworld-go", func(testing.TB) string { return os.Getenv("PATH") },
			[]string{"--- PASS: TestHello (T)\n", "ok  \tgithub.com/entrypoint/entrypoint/examples/helloworld-go\tT\n"},
			[]string{"--- FAIL: TestHello (T)\n", "HELLO_FAIL=1: failing on purpose\n", "FAIL\tgithub.com/entrypoint/entrypoint/examples/helloworld-go\tT\n"}},
		{"helloworld-python", pythonPath,
			[]string{"4 passed in T\n"},
			[]string{"FAILED tests/unit/test_app.py::test_hello - AssertionError: HELLO_FAIL=1: fai...\n", "1 failed, 3 passed in T\n"}},
	} {
		for _, fail := range []bool{false, true} {
			name, code, want := tc.example+"/passing", 0, tc.passes
			if fail {
				name, code, want = tc.example+"/failing", 1, tc.fails
			}
			t.Run(name, func(t *testing.T) {
				dir := example(t, tc.example)
				env := []string{"PATH=" + tc.path(t), "GOFLAGS=-count=1", "ENTRYPOINT_LOG_FORMAT=json", "HELLO_FAIL=0"}
				if fail {
					env = append(env, "HELLO_FAIL=1")
				}
				native := runTool(t, dir, env, bins.entrypoint, "test_unit")
				mage := runTool(t, dir, env, "go", "tool", "mage", "testUnit")
				require.Equal(t, code, native.code, "entrypoint test_unit:\n%s\n%s", native.report, native.stderr)
				require.Equal(t, code, mage.code, "go tool mage testUnit:\n%s\n%s", mage.report, mage.stderr)
				require.Equal(t, normalised(native.report), normalised(mage.report), "the same report")
				for _, line := range want {
					assert.Contains(t, normalised(native.report), line)
				}
				require.Len(t, logsOf(native, "task started"), 1, "%v", native.logs)
				require.Len(t, logsOf(native, "task ended"), 1, "%v", native.logs)
				assert.Contains(t, mage.stderr, `msg="task started" task=test_unit source=procfile`)
				assert.Contains(t, mage.stderr, `msg="task ended" task=test_unit source=procfile`)
			})
		}
	}
}

func TestTaskLogsOneStartAndOneEndLine(t *testing.T) {
	bins := e2eBins(t)
	dir := taskService(t, "test_unit: sh -c 'echo report; exit 3'\n")
	o := runTool(t, dir, []string{"ENTRYPOINT_LOG_FORMAT=json"}, bins.entrypoint, "testUnit", "extra")
	require.Equal(t, 3, o.code)
	require.Equal(t, "report\n", o.report)
	starts, ends := logsOf(o, "task started"), logsOf(o, "task ended")
	require.Len(t, starts, 1)
	require.Len(t, ends, 1)
	assert.Equal(t, "test_unit", starts[0]["task"])
	assert.Equal(t, "procfile", starts[0]["source"])
	assert.Equal(t, []any{"sh", "-c", "echo report; exit 3", "extra"}, starts[0]["argv"])
	assert.Equal(t, dir, starts[0]["dir"])
	assert.Equal(t, "ERROR", ends[0]["level"])
	assert.EqualValues(t, 3, ends[0]["code"])
	assert.NotEmpty(t, ends[0]["duration"])
}

func TestTaskSIGTERMStopsTheTaskTree(t *testing.T) {
	bins := e2eBins(t)
	// A long test: a shell waiting on a child of its own.
	dir := taskService(t, `test_unit: sh -c 'sleep 1000 & echo "ready $!"; wait'`+"\n")
	cmd := exec.Command(bins.entrypoint, "test_unit")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ENTRYPOINT_LOG_FORMAT=json")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	var grandchild string
	for grandchild == "" && sc.Scan() {
		if pid, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
			grandchild = pid
		}
	}
	require.NotEmpty(t, grandchild, "no ready line")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	require.Error(t, err)
	require.Equal(t, 143, cmd.ProcessState.ExitCode(), "%v\n%s", cmd.ProcessState, rest.String())
	require.Contains(t, rest.String(), `"msg":"task ended","task":"test_unit","source":"procfile"`)
	_, err = os.Stat("/proc/" + grandchild)
	require.True(t, os.IsNotExist(err), "the task's child %s is gone", grandchild)
}

// BenchmarkTaskOverhead compares `entrypoint TASK` with running the task's
// command directly: the difference is entrypoint's start, the Procfile
// read and the init around the command.
func BenchmarkTaskOverhead(b *testing.B) {
	bins, err := buildE2EBinaries()
	require.NoError(b, err)
	dir := b.TempDir()
	require.NoError(b, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("noop: true\n"), 0o644))
	truePath, err := exec.LookPath("true")
	require.NoError(b, err)
	for _, bc := range []struct {
		name string
		argv []string
	}{
		{"direct", []string{truePath}},
		{"entrypoint", []string{bins.entrypoint, "--log-level", "error", "noop"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				cmd := exec.Command(bc.argv[0], bc.argv[1:]...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}
