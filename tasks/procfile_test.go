package tasks

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

func TestParseProcfile(t *testing.T) {
	const procfile = "\uFEFF# Procfile of the api\n" +
		"\n" +
		"# serve HTTP on $PORT\n" +
		"web: ./api --port=${PORT:-3000} --name 'my api'\r\n" +
		"  # unit tests, verbose\n" +
		"testUnit:go test -v ./...\n" +
		"# header\n" +
		"# the last comment line wins\n" +
		"release : ./migrate up  # trailing comment\n" +
		"\n" +
		"# not attached: blank line below\n" +
		"\n" +
		"prestart: echo \"$GREETING, world\"\n" +
		"db-migrate: ./migrate $ARGS\n"
	p, err := ParseProcfile("Procfile", strings.NewReader(procfile), map[string]string{"PORT": "8080", "GREETING": "hello"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "run", Description: "serve HTTP on $PORT", Command: "./api --port=${PORT:-3000} --name 'my api'", Argv: []string{"./api", "--port=8080", "--name", "my api"}, Line: 4},
		{Name: "test_unit", Description: "unit tests, verbose", Command: "go test -v ./...", Argv: []string{"go", "test", "-v", "./..."}, Line: 6},
		{Name: "release", Description: "the last comment line wins", Command: "./migrate up  # trailing comment", Argv: []string{"./migrate", "up"}, Line: 9},
		{Name: "prestart", Command: `echo "$GREETING, world"`, Argv: []string{"echo", "hello, world"}, Line: 13},
		{Name: "db_migrate", Command: "./migrate $ARGS", Argv: []string{"./migrate"}, Line: 14},
	}
	if len(p.Entries) != len(want) {
		t.Fatalf("got %d entries %+v, want %d", len(p.Entries), p.Entries, len(want))
	}
	for i, w := range want {
		if g := p.Entries[i]; g.Name != w.Name || g.Description != w.Description || g.Command != w.Command || g.Line != w.Line || !slices.Equal(g.Argv, w.Argv) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestParseProcfileErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"web ./api", `Procfile:1: no colon: want ` + "`name: command`" + `, got "web ./api"`},
		{"# ok\n: ./api", "Procfile:2: empty name before ':'"},
		{"my web: ./api", `Procfile:1: bad name "my web": use a letter or digit, then letters, digits, '_' and '-'`},
		{"web.1: ./api", `Procfile:1: bad name "web.1"`},
		{"-web: ./api", `Procfile:1: bad name "-web"`},
		{"web:", `Procfile:1: entry "web" has no command`},
		{"web:   # nothing", ""},
		{"web: echo 'hi", `Procfile:1: entry "web": unterminated single quote`},
		{"web: echo \"hi", `Procfile:1: entry "web": unterminated double quote`},
		{"web: a | b", `Procfile:1: entry "web": shell syntax '|' is not supported`},
		{"run: a\n\nweb: b", `Procfile:3: duplicate entry "web" (as "run"; first on line 1)`},
		{"test_unit: a\ntest-unit: b", `Procfile:2: duplicate entry "test-unit" (as "test_unit"; first on line 1)`},
		{"x: a\nX: b", `Procfile:2: duplicate entry "X" (as "x"; first on line 1)`},
	} {
		_, err := ParseProcfile("Procfile", strings.NewReader(tc.in), nil)
		if tc.want == "" {
			if err != nil {
				t.Errorf("ParseProcfile(%q): %v", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseProcfile(%q) error %v, want prefix %q", tc.in, err, tc.want)
		}
		if code := exitcode.Of(err); code != exitcode.Usage {
			t.Errorf("ParseProcfile(%q) exit code %d, want %d", tc.in, code, exitcode.Usage)
		}
	}
}

func TestParseProcfileReadError(t *testing.T) {
	_, err := ParseProcfile("Procfile", iotest.ErrReader(errors.New("disk on fire")), nil)
	if err == nil || err.Error() != "read Procfile: disk on fire" || exitcode.Of(err) != exitcode.Failure {
		t.Errorf("got %v (exit %d), want a read error with exit 1", err, exitcode.Of(err))
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"web: ./api --port=$PORT\n",
		"# desc\ntest_unit: go test ./...\n",
		"a: 'x y' \"$HOME/z\" \\ w # c\n",
		"run: ${PORT:-3000} ${X-a b}\n",
		"web: 'unterminated\n",
		"a: b\na: c\n",
		"no colon\n",
		"x: $(nope) `nope` $1\n",
		"\uFEFFé: ü\r\n",
	} {
		f.Add(seed)
	}
	env := map[string]string{"PORT": "8080", "HOME": "/root", "X": "1 2"}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParseProcfile("Procfile", strings.NewReader(in), env)
		if err != nil {
			if exitcode.Of(err) != exitcode.Usage || !strings.HasPrefix(err.Error(), "Procfile:") {
				t.Fatalf("error %q (exit %d) does not name the file with exit 2", err, exitcode.Of(err))
			}
			return
		}
		checkEntries(t, p.Entries)
	})
}

// checkEntries asserts what every parsed Procfile guarantees.
func checkEntries(t *testing.T, entries []Entry) {
	t.Helper()
	seen := map[string]bool{}
	line := 0
	for _, e := range entries {
		if !validName(e.Name) || Canonical(e.Name) != e.Name || seen[e.Name] {
			t.Fatalf("entry name %q: invalid, not canonical or duplicate", e.Name)
		}
		if e.Line <= line || e.Command == "" || strings.Contains(e.Description, "\n") {
			t.Fatalf("entry %+v: bad line, command or description", e)
		}
		seen[e.Name], line = true, e.Line
	}
}
