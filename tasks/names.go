package tasks

import (
	"slices"
	"strings"
	"unicode"
)

// standard lists the standard tasks in pipeline order, with the description
// shown when neither a Procfile comment nor anything else describes them.
var standard = []struct{ name, description string }{
	{"static_analysis", "static analysis (vet, lint)"},
	{"test_unit", "unit tests"},
	{"test_integration", "integration tests against the service and its dependencies"},
	{"build", "build the service image, tagged with the git revision"},
	{"publish", "push the image; promote an existing image by digest"},
	{"deploy", "deploy the image by digest (runs release first)"},
	{"run", "run the service"},
	{"test_sanity", "sanity tests against the deployed service"},
}

// lifecycle names the standard tasks implemented as Go code, not commands.
var lifecycle = map[string]bool{"build": true, "publish": true, "deploy": true}

// aliases maps other names for a task to its canonical name.
var aliases = map[string]string{"web": "run"}

// hookDescriptions describes the Procfile entries with a fixed meaning.
var hookDescriptions = map[string]string{"release": "runs before deploy"}

// Standard returns the names of the standard tasks, in pipeline order.
func Standard() []string {
	names := make([]string, len(standard))
	for i, s := range standard {
		names[i] = s.name
	}
	return names
}

// Canonical returns the snake_case name of a task as it is spelled on a
// command line: "test-unit", "testUnit", "TestUnit" and "TEST_UNIT" all give
// "test_unit". A name that equals a standard name once '_' and '-' are
// removed gives that name ("testunit", as mage lowercases target names, is
// "test_unit"), and the alias "web" gives "run". Any other string is converted the same way and
// is not checked: Canonical("ls") is "ls".
func Canonical(name string) string {
	snake := snakeCase(name)
	if alias, ok := aliases[snake]; ok {
		return alias
	}
	for _, s := range standard {
		if squash(s.name) == squash(snake) {
			return s.name
		}
	}
	return snake
}

// snakeCase lowercases name, turns '-' into '_' and puts '_' at each word
// boundary of camelCase and PascalCase ("HTTPServer" is "http_server").
func snakeCase(name string) string {
	runes := []rune(name)
	var b strings.Builder
	for i, r := range runes {
		if r == '-' {
			r = '_'
		}
		if i > 0 && unicode.IsUpper(r) && wordBoundary(runes, i) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// wordBoundary reports whether the upper-case runes[i] starts a new word:
// after a lower-case letter or digit, or as the last capital of an acronym
// followed by a lower-case letter.
func wordBoundary(runes []rune, i int) bool {
	prev := runes[i-1]
	if unicode.IsLower(prev) || unicode.IsDigit(prev) {
		return true
	}
	nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
	return unicode.IsUpper(prev) && nextLower
}

// squash is the key under which names match when separators were lost.
func squash(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "_", ""), "-", "")
}

// standardDescription is the default description of a standard task or
// hook, or "".
func standardDescription(name string) string {
	for _, s := range standard {
		if s.name == name {
			return s.description
		}
	}
	return hookDescriptions[name]
}

// isStandard reports whether name is the canonical name of a standard task.
func isStandard(name string) bool {
	return slices.Contains(Standard(), name)
}

// validName reports whether name may name a Procfile entry: a letter or
// digit, then letters, digits, '_' and '-'.
func validName(name string) bool {
	if name == "" || !isAlnum(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		if !isAlnum(name[i]) && name[i] != '_' && name[i] != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
