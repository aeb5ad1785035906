package tasks

import (
	"slices"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"go", "test", "./..."}, "go test ./..."},
		{[]string{"a b", ""}, "'a b' ''"},
		{[]string{"it's"}, `'it'\''s'`},
		{[]string{"--port=80", "user@host:/x,y%+"}, "--port=80 user@host:/x,y%+"},
		{[]string{"A=1", "A=1"}, "'A=1' A=1"},
		{[]string{"$HOME", "~", "*", "#", `\`, "\n"}, `'$HOME' '~' '*' '#' '\' '` + "\n'"},
		{nil, ""},
	} {
		if got := Quote(tc.words...); got != tc.want {
			t.Errorf("Quote(%q) = %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestDryRun(t *testing.T) {
	for _, tc := range []struct {
		task Task
		want string
	}{
		{
			Task{Name: "test_unit", Source: "preset:python", Dir: "/srv/my app", Argv: []string{"python3", "-m", "pytest", "-k", "not slow"}, Env: map[string]string{"SECRET": "hunter2", "A": "1"}},
			"# test_unit (preset:python) in /srv/my app; adds env: A SECRET\ncd '/srv/my app' && python3 -m pytest -k 'not slow'\n",
		},
		{
			Task{Name: "build", Source: SourceBuiltin, Dir: "/srv", Builtin: true, Args: []string{"--tag", "v1"}},
			"# build (built-in) in /srv\n# built-in: runs Go code, no command line; args: --tag v1\n",
		},
		{
			Task{Name: "deploy", Source: SourceBuiltin, Dir: "/srv", Builtin: true},
			"# deploy (built-in) in /srv\n# built-in: runs Go code, no command line\n",
		},
	} {
		if got := DryRun(tc.task); got != tc.want {
			t.Errorf("DryRun(%s) =\n%s\nwant\n%s", tc.task.Name, got, tc.want)
		}
	}
}

// FuzzQuote checks that what Quote prints splits back, with the Procfile's
// own shell-like splitting, into the very same words.
func FuzzQuote(f *testing.F) {
	for _, seed := range [][2]string{{"go", "test"}, {"it's", ""}, {"a b", `"\$x`}, {"A=1", "#"}, {"é\t", "\x00\n"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		line := Quote(a, b)
		got, err := splitWords(line, map[string]string{"x": "expanded"})
		if err != nil || !slices.Equal(got, []string{a, b}) {
			t.Fatalf("Quote(%q, %q) = %s splits into %q, %v", a, b, line, got, err)
		}
	})
}
