package require_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/require"
)

// lookup returns a lookup function over env, like os.LookupEnv.
func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func Example() {
	spec, err := require.Parse("DATABASE_URL,PORT:int,TIMEOUT:duration,API_URL:url,DEBUG:bool,NAME:/^[a-z]+$/")
	if err != nil {
		panic(err)
	}
	err = spec.Check(lookup(map[string]string{
		"PORT": "abc", "TIMEOUT": "30s", "API_URL": "api:8080", "DEBUG": "", "NAME": "web",
	}))
	fmt.Println(exitcode.Of(err))
	fmt.Println(err)
	// Output:
	// 78
	// DATABASE_URL: not set
	// PORT: "abc" is not an int
	// API_URL: "api:8080" is not an absolute url (scheme://host...)
	// DEBUG: set but empty
}

func ExampleSpec_String() {
	spec, _ := require.Parse(` PORT:int , NAME:/^a,b\/c$/ ,, HOST`)
	fmt.Println(spec)
	// Output: PORT:int,NAME:/^a,b\/c$/,HOST
}

func TestParse(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", ""},
		{" , ,", ""},
		{"A", "A"},
		{"A:string", "A"},
		{"a_1:int,_B:bool,C:duration,D:url", "a_1:int,_B:bool,C:duration,D:url"},
		{"R:/x,y/,S", "R:/x,y/,S"},
		{"R: /a\\/b/ ,S:int", "R:/a\\/b/,S:int"},
		{"R:/\\\\/", "R:/\\\\/"},
		{"R://", "R://"},
		{"R:/[,\\/]/", "R:/[,\\/]/"},
	}
	for _, tt := range tests {
		spec, err := require.Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if got := spec.String(); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"PORT:float", `bad item "PORT:float": unknown type "float" (want string, int, bool, duration, url or /regexp/)`},
		{"PORT:Int", `bad item "PORT:Int": unknown type "Int"`},
		{"PORT:", `bad item "PORT:": unknown type ""`},
		{"1PORT", `bad item "1PORT": "1PORT" is not a variable name`},
		{"MY-VAR", `bad item "MY-VAR": "MY-VAR" is not a variable name`},
		{":int", `bad item ":int": "" is not a variable name`},
		{"R:/abc", `bad item "R:/abc": regexp has no closing /`},
		{"R:/a\\/", `bad item "R:/a\\/": regexp has no closing /`},
		{"R:/a/x", `bad item "R:/a/x": unexpected "x" after the closing / of the regexp`},
		{"R:/[,/]/", `bad item "R:/[,/]/": unexpected "]/" after the closing / of the regexp`}, // even in a class
		{"R:/[a/", `bad item "R:/[a/": bad regexp: error parsing regexp: missing closing ]`},
		{"R:/(/", `bad item "R:/(/": bad regexp`},
		{"A,B,A:int", `bad item "A:int": listed twice`},
	}
	for _, tt := range tests {
		_, err := require.Parse(tt.spec)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want prefix %s", tt.spec, err, tt.want)
			continue
		}
		if code := exitcode.Of(err); code != exitcode.Config {
			t.Errorf("Parse(%q): exit code %d, want 78", tt.spec, code)
		}
	}
}

func TestParseReportsEveryBadItem(t *testing.T) {
	_, err := require.Parse("A:float,B,C:/(/,D")
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"A:float"`) || !strings.Contains(lines[1], `"C:/(/"`) {
		t.Errorf("want two lines naming A and C, got:\n%s", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		rule, value string
		set         bool
		want        string // "" for valid
	}{
		{"S", "", false, "S: not set"},
		{"S", "", true, "S: set but empty"},
		{"S:int", "", true, "S: set but empty"},
		{"S", " ", true, ""},
		{"I:int", "-42", true, ""},
		{"I:int", "+7", true, ""},
		{"I:int", "abc", true, `I: "abc" is not an int`},
		{"I:int", "1.5", true, `I: "1.5" is not an int`},
		{"I:int", "99999999999999999999", true, `I: "99999999999999999999" is not an int`},
		{"B:bool", "true", true, ""},
		{"B:bool", "0", true, ""},
		{"B:bool", "yes", true, `B: "yes" is not a bool`},
		{"D:duration", "1m30s", true, ""},
		{"D:duration", "30", true, `D: "30" is not a duration`},
		{"U:url", "https://api:8080/v1?x=1", true, ""},
		{"U:url", "postgres://u:p@db/app", true, ""},
		{"U:url", "api:8080", true, `U: "api:8080" is not an absolute url (scheme://host...)`},
		{"U:url", "/health", true, `U: "/health" is not an absolute url`},
		{"U:url", "file:///etc/x", true, `U: "file:///etc/x" is not an absolute url`},
		{"U:url", "http://[::1", true, `U: "http://[::1" is not an absolute url`},
		{"N:/^[a-z]+$/", "web", true, ""},
		{"N:/^[a-z]+$/", "Web", true, `N: "Web" does not match /^[a-z]+$/`},
		{"N:/a,b/", "xa,by", true, ""},
		{"N:/^\\/v[0-9]$/", "/v1", true, ""},
		{"L:int", strings.Repeat("x", 100), true, `L: "` + strings.Repeat("x", 64) + `"... is not an int`},
		{"DB_PASSWORD:/^.{12,}$/", "hunter2", true, "DB_PASSWORD: the value (redacted, 7 bytes) does not match /^.{12,}$/"},
		{"API_TOKEN:int", "hunter2", true, "API_TOKEN: the value (redacted, 7 bytes) is not an int"},
	}
	for _, tt := range tests {
		spec, err := require.Parse(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		name := spec[0].Name
		env := map[string]string{}
		if tt.set {
			env[name] = tt.value
		}
		err = spec.Check(lookup(env))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s=%q: unexpected %v", tt.rule, tt.value, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("%s=%q: got %v, want prefix %s", tt.rule, tt.value, err, tt.want)
		case err != nil && exitcode.Of(err) != exitcode.Config:
			t.Errorf("%s: exit code %d, want 78", tt.rule, exitcode.Of(err))
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"DATABASE_URL,PORT:int,TIMEOUT:duration,API_URL:url,DEBUG:bool,NAME:/^[a-z]+$/",
		"R:/a,b\\/c/ , S", "R:/", "R:/\\", "A:", ":", ",,,", "A:/x/y,B", "é:int", "A:/[/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := require.Parse(s)
		if err != nil {
			if exitcode.Of(err) != exitcode.Config {
				t.Fatalf("Parse(%q): exit code %d", s, exitcode.Of(err))
			}
			return
		}
		again, err := require.Parse(spec.String())
		if err != nil || again.String() != spec.String() {
			t.Fatalf("Parse(%q).String() = %q does not read back: %q, %v", s, spec, again, err)
		}
		_ = spec.Check(func(string) (string, bool) { return s, true })
	})
}
