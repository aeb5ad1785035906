package render_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/render"
)

func ExampleFile() {
	dir, _ := os.MkdirTemp("", "render")
	defer os.RemoveAll(dir)
	src, dst := filepath.Join(dir, "config.tmpl"), filepath.Join(dir, "config.yaml")
	_ = os.WriteFile(src, []byte(`port: {{ .Env.PORT }}
log: {{ default "info" .Env.LOG_LEVEL }}
db: {{ required "DATABASE_URL" }}
`), 0o640)

	err := render.File(src, dst, []string{"PORT=8080", "DATABASE_URL=postgres://db/app"})
	out, _ := os.ReadFile(dst)
	fmt.Print(err, "\n", string(out))

	err = render.File(src, dst, []string{"DATABASE_URL=postgres://db/app"})
	fmt.Println(exitcode.Of(err), strings.ReplaceAll(err.Error(), dir, "DIR"))
	// Output:
	// <nil>
	// port: 8080
	// log: info
	// db: postgres://db/app
	// 78 render DIR/config.tmpl: line 1: PORT is not set
}

func ExampleParse() {
	pairs, err := render.Parse("/etc/app/config.tmpl:/etc/app/config.yaml, nginx.conf.tmpl")
	fmt.Println(pairs, err)
	// Output: [{/etc/app/config.tmpl /etc/app/config.yaml} {nginx.conf.tmpl nginx.conf}] <nil>
}

func TestExecute(t *testing.T) {
	env := []string{"PORT=8080", "EMPTY=", "NAME=web", "A=x=y"}
	tests := []struct{ text, want, err string }{
		{"{{ .Env.PORT }}", "8080", ""},
		{"{{ .Env.A }}", "x=y", ""},
		{"{{ .Env.EMPTY }}|", "|", ""},
		{"{{ env \"PORT\" }}", "8080", ""},
		{"{{ env \"EMPTY\" }}|", "|", ""},
		{"{{ required \"NAME\" }}", "web", ""},
		{"{{ default \"x\" .Env.PORT }}", "8080", ""},
		{"{{ default \"x\" .Env.MISSING }}", "x", ""},
		{"{{ default \"x\" .Env.EMPTY }}", "x", ""},
		{"{{ default \"x\" (.Env.MISSING) }}", "x", ""},
		{"{{ .Env.MISSING | default \"x\" }}", "x", ""},
		{"{{ .Env.PORT | default \"x\" }}", "8080", ""},
		{"{{ default 80 .Env.MISSING }}", "80", ""},
		{"{{ default \"x\" (env \"PORT\") }}", "8080", ""},
		{"{{ if default \"\" .Env.MISSING }}on{{ else }}off{{ end }}", "off", ""},
		{"{{ with .Env.NAME }}{{ . }}-{{ default \"d\" $.Env.MISSING }}{{ end }}", "web-d", ""},
		{"{{ define \"t\" }}{{ default \"d\" .Env.MISSING }}{{ end }}{{ template \"t\" . }}", "d", ""},
		{"{{ range $k, $v := .Env }}{{ if eq $k \"NAME\" }}{{ $v }}{{ end }}{{ end }}", "web", ""},
		{"a\nb\n{{ .Env.MISSING }}", "", "line 3: MISSING is not set"},
		{"\n{{ env \"MISSING\" }}", "", "line 2: MISSING is not set"},
		{"{{ required \"EMPTY\" }}", "", "line 1: EMPTY is required but not set"},
		{"{{ required \"MISSING\" }}", "", "line 1: MISSING is required but not set"},
		{"{{ if .Env.MISSING }}x{{ end }}", "", "line 1: MISSING is not set"},
		{"{{ default \"x\" .Env.MISSING }}{{ .Env.OTHER }}", "", "line 1: OTHER is not set"},
		{"\n\n{{ .Env.PORT", "", "line 3: unclosed action"},
		{"{{ nope }}", "", "line 1: function \"nope\" not defined"},
	}
	for _, tt := range tests {
		out, err := render.Execute(tt.text, env)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err || exitcode.Of(err) != exitcode.Config {
				t.Errorf("Execute(%q) = %q, %v; want 78 and %q", tt.text, out, err, tt.err)
			}
			continue
		}
		if err != nil || string(out) != tt.want {
			t.Errorf("Execute(%q) = %q, %v; want %q", tt.text, out, err, tt.want)
		}
	}
}

func TestExecuteNeverShowsValues(t *testing.T) {
	_, err := render.Execute("{{ .Env.DB_PASSWORD.Field }}", []string{"DB_PASSWORD=hunter2"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("got %v", err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct{ spec, want, err string }{
		{"", "[]", ""},
		{"a.tmpl:a.conf, ,b:c,", "[{a.tmpl a.conf} {b c}]", ""},
		{"dir/x.yaml.tmpl", "[{dir/x.yaml.tmpl dir/x.yaml}]", ""},
		{"x.conf", "", `bad template item "x.conf": want TEMPLATE:DESTINATION (only a TEMPLATE ending in .tmpl may omit the destination)`},
		{".tmpl,a:", "", "bad template item \".tmpl\": want TEMPLATE:DESTINATION, both non-empty\nbad template item \"a:\": want TEMPLATE:DESTINATION, both non-empty"},
		{"a:b:c", "", `bad template item "a:b:c": more than one ':'`},
		{"a:out,b:out", "", `bad template item "b:out": out is rendered twice`},
	}
	for _, tt := range tests {
		pairs, err := render.Parse(tt.spec)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err || exitcode.Of(err) != exitcode.Config {
				t.Errorf("Parse(%q) = %v; want 78 and\n%s", tt.spec, err, tt.err)
			}
			continue
		}
		if got := fmt.Sprint(pairs); err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %s, %v; want %s", tt.spec, got, err, tt.want)
		}
	}
}

// write creates a file in dir and returns its path.
func write(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return p
}

func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestFileModeAndReplace(t *testing.T) {
	dir := t.TempDir()
	src := write(t, dir, "app.tmpl", "port={{ .Env.PORT }}\n", 0o640)
	dst := write(t, dir, "app.conf", "old\n", 0o600)
	if err := render.File(src, dst, []string{"PORT=1"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(dst)
	info, _ := os.Stat(dst)
	if string(b) != "port=1\n" || info.Mode().Perm() != 0o640 {
		t.Errorf("got %q mode %v, want %q mode 0640", b, info.Mode().Perm(), "port=1\n")
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"app.conf", "app.tmpl"}) {
		t.Errorf("directory holds %q", got)
	}
}

func TestFileFailureLeavesOldDestination(t *testing.T) {
	dir := t.TempDir()
	dst := write(t, dir, "app.conf", "old\n", 0o600)
	tests := []struct{ name, src, err string }{
		{"missing variable", write(t, dir, "bad.tmpl", "a\n{{ .Env.PORT }}", 0o644), "render " + dir + "/bad.tmpl: line 2: PORT is not set"},
		{"missing template", filepath.Join(dir, "none.tmpl"), "render " + dir + "/none.tmpl: stat " + dir + "/none.tmpl: no such file or directory"},
	}
	for _, tt := range tests {
		err := render.File(tt.src, dst, nil)
		if err == nil || err.Error() != tt.err || exitcode.Of(err) != exitcode.Config {
			t.Errorf("%s: got %v, want 78 and %s", tt.name, err, tt.err)
		}
		if b, _ := os.ReadFile(dst); string(b) != "old\n" {
			t.Errorf("%s: destination now holds %q", tt.name, b)
		}
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"app.conf", "bad.tmpl"}) {
		t.Errorf("directory holds %q", got)
	}
}

func TestFileUnwritableDestination(t *testing.T) {
	dir := t.TempDir()
	src := write(t, dir, "app.tmpl", "x", 0o644)
	dst := filepath.Join(dir, "missing-dir", "app.conf")
	err := render.File(src, dst, nil)
	if err == nil || !strings.Contains(err.Error(), "write "+dst+": ") || exitcode.Of(err) != exitcode.Config {
		t.Errorf("got %v, want 78 naming %s", err, dst)
	}
}

func TestAllReportsEveryFailure(t *testing.T) {
	dir := t.TempDir()
	pairs := []render.Pair{
		{write(t, dir, "a.tmpl", "{{ .Env.A }}", 0o644), filepath.Join(dir, "a")},
		{write(t, dir, "b.tmpl", "{{ .Env.B }}", 0o644), filepath.Join(dir, "b")},
		{write(t, dir, "c.tmpl", "{{ .Env.C }}", 0o644), filepath.Join(dir, "c")},
	}
	err := render.All(pairs, []string{"B=ok"})
	want := "render " + dir + "/a.tmpl: line 1: A is not set\nrender " + dir + "/c.tmpl: line 1: C is not set"
	if err == nil || err.Error() != want || exitcode.Of(err) != exitcode.Config {
		t.Errorf("got %v, want\n%s", err, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "b")); string(b) != "ok" {
		t.Errorf("b holds %q", b)
	}
}

func FuzzExecute(f *testing.F) {
	for _, seed := range []string{
		"{{ .Env.PORT }}", "{{ default \"x\" .Env.NOPE }}", "{{ .Env.NOPE | default 1 }}",
		"{{ required \"PORT\" }}", "{{ env \"X\" }}", "{{ if default \"\" (.Env.X) }}{{ end }}",
		"{{ define \"a\" }}{{ default 1 .Env.Y }}{{ end }}{{ template \"a\" . }}", "{{", "}}", "{{ .Env }}",
		"{{ with $x := .Env.PORT }}{{ $x }}{{ end }}", "{{ default }}", "{{ default .Env.X }}",
	} {
		f.Add(seed, "8080")
	}
	f.Fuzz(func(t *testing.T, text, port string) {
		if strings.Contains(text, "range") {
			t.Skip("range can loop for as long as it is told to")
		}
		_, err := render.Execute(text, []string{"PORT=" + port, "EMPTY="})
		if err != nil && exitcode.Of(err) != exitcode.Config {
			t.Fatalf("Execute(%q): exit code %d: %v", text, exitcode.Of(err), err)
		}
	})
}
