package secrets_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/secrets"
)

func ExampleResolve() {
	dir, _ := os.MkdirTemp("", "secrets")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "db_password")
	_ = os.WriteFile(path, []byte("s3cr3t\n"), 0o600)

	env, fromFiles, err := secrets.Resolve([]string{"PORT=8080", "DB_PASSWORD_FILE=" + path})
	fmt.Println(err, fromFiles)
	for _, kv := range env {
		fmt.Println(secrets.Redact(kv, fromFiles...))
	}
	// Output:
	// <nil> [DB_PASSWORD]
	// PORT=8080
	// DB_PASSWORD=<redacted, 6 bytes>
}

func ExampleLooksSecret() {
	for _, name := range []string{"DB_PASSWORD", "github_token", "AWS_SECRET_ACCESS_KEY", "KEYBOARD_LAYOUT", "PWD"} {
		fmt.Println(name, secrets.LooksSecret(name))
	}
	// Output:
	// DB_PASSWORD true
	// github_token true
	// AWS_SECRET_ACCESS_KEY true
	// KEYBOARD_LAYOUT false
	// PWD false
}

// file writes content to a new file in t's temp dir and returns its path.
func file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		env       func(path string) []string
		want      []string
		fromFiles []string
	}{
		{"one newline trimmed", "pw\n\n", func(p string) []string { return []string{"A=1", "PW_FILE=" + p, "B=2"} },
			[]string{"A=1", "PW=pw\n", "B=2"}, []string{"PW"}},
		{"crlf trimmed", "pw\r\n", func(p string) []string { return []string{"PW_FILE=" + p} },
			[]string{"PW=pw"}, []string{"PW"}},
		{"no newline", "pw", func(p string) []string { return []string{"PW_FILE=" + p} },
			[]string{"PW=pw"}, []string{"PW"}},
		{"lone cr kept", "pw\r", func(p string) []string { return []string{"PW_FILE=" + p} },
			[]string{"PW=pw\r"}, []string{"PW"}},
		{"empty file", "", func(p string) []string { return []string{"PW_FILE=" + p} },
			[]string{"PW="}, []string{"PW"}},
		{"empty NAME counts as unset", "pw", func(p string) []string { return []string{"PW=", "PW_FILE=" + p} },
			[]string{"PW=pw"}, []string{"PW"}},
		{"empty NAME after NAME_FILE is dropped", "pw", func(p string) []string { return []string{"PW_FILE=" + p, "PW="} },
			[]string{"PW=pw"}, []string{"PW"}},
		{"empty NAME_FILE ignored", "pw", func(string) []string { return []string{"PW_FILE=", "X=1"} },
			[]string{"PW_FILE=", "X=1"}, []string{}},
		{"bare _FILE ignored", "pw", func(p string) []string { return []string{"_FILE=" + p} },
			[]string{"_FILE=" + pathMark}, []string{}},
		{"duplicate NAME_FILE: last wins, once", "pw", func(p string) []string { return []string{"PW_FILE=/nonexistent", "PW_FILE=" + p} },
			[]string{"PW=pw"}, []string{"PW"}},
		{"repeated NAME_FILE read once", "pw", func(p string) []string { return []string{"PW_FILE=" + p, "PW_FILE=" + p} },
			[]string{"PW=pw"}, []string{"PW"}},
		{"value may hold =", "a=b", func(p string) []string { return []string{"PW_FILE=" + p} },
			[]string{"PW=a=b"}, []string{"PW"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := file(t, "secret", tt.content)
			want := slices.Clone(tt.want)
			for i := range want {
				want[i] = strings.ReplaceAll(want[i], pathMark, path)
			}
			got, fromFiles, err := secrets.Resolve(tt.env(path))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("env = %q, want %q", got, want)
			}
			if !slices.Equal(fromFiles, tt.fromFiles) {
				t.Errorf("fromFiles = %q, want %q", fromFiles, tt.fromFiles)
			}
		})
	}
}

// pathMark stands for the secret file's path in the table above.
const pathMark = "<path>"

func TestResolveReportsEveryProblemWithoutValues(t *testing.T) {
	good := file(t, "good", "hunter2-good\n")
	nul := file(t, "nul", "hunter2\x00nul")
	dir := t.TempDir()
	env := []string{
		"API_TOKEN=hunter2-env", "API_TOKEN_FILE=" + good, // both set
		"DB_PASSWORD_FILE=/nonexistent/db_password", // unreadable
		"CERT_FILE=" + dir,                          // a directory
		"KEY_FILE=" + nul,                           // holds NUL
		"OK_FILE=" + good,                           // fine
	}
	got, fromFiles, err := secrets.Resolve(env)
	if err == nil {
		t.Fatalf("no error; env = %q, fromFiles = %q", got, fromFiles)
	}
	if code := exitcode.Of(err); code != exitcode.Config {
		t.Errorf("exit code %d, want %d", code, exitcode.Config)
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"API_TOKEN_FILE=" + good + ": API_TOKEN is also set",
		"DB_PASSWORD_FILE: open /nonexistent/db_password: no such file or directory",
		"CERT_FILE: read " + dir + ": is a directory",
		"KEY_FILE=" + nul + ": the file holds a NUL byte",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want[i])
		}
		if strings.Contains(lines[i], "hunter2") {
			t.Errorf("line %d leaks a value: %q", i, lines[i])
		}
	}
}

func TestResolveDoesNotModifyInput(t *testing.T) {
	env := []string{"PW_FILE=" + file(t, "pw", "x")}
	before := slices.Clone(env)
	if _, _, err := secrets.Resolve(env); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(env, before) {
		t.Errorf("input changed: %q", env)
	}
}

func TestLooksSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASSWORD": true, "MYSQL_ROOT_PASSWD": true, "JWT_SECRET": true, "GITHUB_TOKEN": true,
		"api_key": true, "API-KEY": true, "APIKEY": true, "AWS_SECRET_ACCESS_KEY": true,
		"GOOGLE_APPLICATION_CREDENTIALS": true, "PRIVATE_KEY_PEM": true, "BASIC_AUTH": true,
		"auth.token": true, "Password": true, "SMTP_PASS": true,
		"PORT": false, "PATH": false, "PWD": false, "KEYBOARD": false, "MONKEY": false,
		"TOKENIZER_MODEL": false, "AUTHOR": false, "": false, "PASSPORT_OFFICE": false,
	} {
		if got := secrets.LooksSecret(name); got != want {
			t.Errorf("LooksSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ kv, want string }{
		{"DB_PASSWORD=hunter2", "DB_PASSWORD=<redacted, 7 bytes>"},
		{"DB_PASSWORD=", "DB_PASSWORD=<redacted, 0 bytes>"},
		{"DB_PASSWORD=a=b", "DB_PASSWORD=<redacted, 3 bytes>"},
		{"FROM_FILE=x", "FROM_FILE=<redacted, 1 bytes>"},
		{"PORT=8080", "PORT=8080"},
		{"NOEQUALS", "NOEQUALS"},
	}
	for _, tt := range tests {
		if got := secrets.Redact(tt.kv, "FROM_FILE"); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.kv, got, tt.want)
		}
	}
}

// FuzzResolve: Resolve never panics, never puts a file's content in an
// error, and leaves no NAME_FILE for a name it resolved.
func FuzzResolve(f *testing.F) {
	f.Add("DB_PASSWORD", "s3cr3t\n", "PORT=8080")
	f.Add("A", "x\r\n", "A=set")
	f.Add("_", "", "_FILE=")
	f.Add("K", "nul\x00byte", "K_FILE=/nonexistent")
	f.Fuzz(func(t *testing.T, name, content, other string) {
		path := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		env, fromFiles, err := secrets.Resolve([]string{other, name + "_FILE=" + path})
		if err != nil {
			if len(content) >= 4 && strings.Contains(err.Error(), content) && !strings.Contains(path+name+other, content) {
				t.Fatalf("the error shows the file's content: %v", err)
			}
			if code := exitcode.Of(err); code != exitcode.Config {
				t.Fatalf("exit code %d, want 78: %v", code, err)
			}
			return
		}
		for _, n := range fromFiles {
			for _, kv := range env {
				if strings.HasPrefix(kv, n+"_FILE=") {
					t.Fatalf("%s resolved but %q is still there: %q", n, kv, env)
				}
			}
		}
	})
}
