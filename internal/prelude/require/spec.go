package require

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// Types a rule can require, besides a regexp.
var types = []string{"string", "int", "bool", "duration", "url"}

// Rule is one required variable.
type Rule struct {
	Name    string         // the variable, e.g. PORT
	Type    string         // "string", "int", "bool", "duration", "url" or "regexp"
	Pattern *regexp.Regexp // the pattern when Type is "regexp"
}

// Spec is a parsed ENTRYPOINT_REQUIRE: the rules in the order written.
type Spec []Rule

// String renders the rule as it would be written in a spec.
func (r Rule) String() string {
	switch r.Type {
	case "string":
		return r.Name
	case "regexp":
		return r.Name + ":/" + r.Pattern.String() + "/"
	}
	return r.Name + ":" + r.Type
}

// String renders the spec so that Parse reads it back unchanged.
func (s Spec) String() string {
	items := make([]string, len(s))
	for i, r := range s {
		items[i] = r.String()
	}
	return strings.Join(items, ",")
}

// Parse reads a spec such as "DATABASE_URL,PORT:int,NAME:/^[a-z]+$/".
// Every malformed item is reported, one line each, in an error carrying
// exit code 78.
func Parse(spec string) (Spec, error) {
	var s Spec
	var errs []error
	seen := map[string]bool{}
	for _, item := range split(spec) {
		r, err := parseItem(item)
		if err == nil && seen[r.Name] {
			err = errors.New("listed twice")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("bad item %q: %w", strings.TrimSpace(item), err))
			continue
		}
		seen[r.Name] = true
		s = append(s, r)
	}
	return s, exitcode.Wrap(exitcode.Config, errors.Join(errs...))
}

// split cuts spec at the commas that are not inside a /regexp/, dropping
// empty items.
func split(spec string) []string {
	var items []string
	for spec != "" {
		n := itemEnd(spec)
		if item := spec[:n]; strings.TrimSpace(item) != "" {
			items = append(items, item)
		}
		spec = strings.TrimPrefix(spec[n:], ",")
	}
	return items
}

// itemEnd is the index of the comma that ends the first item of s, or len(s).
func itemEnd(s string) int {
	i := strings.IndexAny(s, ":,")
	if i < 0 || s[i] == ',' {
		return orLen(i, s)
	}
	j := i + 1 + len(s[i+1:]) - len(strings.TrimLeft(s[i+1:], " \t"))
	if j < len(s) && s[j] == '/' {
		j += 1 + closingSlash(s[j+1:])
		if j >= len(s) {
			return len(s) // unterminated; parseItem reports it
		}
	}
	return j + orLen(strings.IndexByte(s[j:], ','), s[j:])
}

// closingSlash is the index in s of the first '/' not escaped by '\', or len(s).
func closingSlash(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '/':
			return i
		}
	}
	return len(s)
}

func orLen(i int, s string) int {
	if i < 0 {
		return len(s)
	}
	return i
}

// parseItem reads NAME, NAME:type or NAME:/regexp/.
func parseItem(item string) (Rule, error) {
	name, typ, hasType := strings.Cut(strings.TrimSpace(item), ":")
	name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
	if !validName(name) {
		return Rule{}, fmt.Errorf("%q is not a variable name (letters, digits and _, not starting with a digit)", name)
	}
	switch {
	case !hasType:
		return Rule{Name: name, Type: "string"}, nil
	case strings.HasPrefix(typ, "/"):
		re, err := parseRegexp(typ)
		return Rule{Name: name, Type: "regexp", Pattern: re}, err
	case isType(typ):
		return Rule{Name: name, Type: typ}, nil
	}
	return Rule{}, fmt.Errorf("unknown type %q (want %s or /regexp/)", typ, strings.Join(types, ", "))
}

// parseRegexp compiles "/re/"; a '/' inside re is written "\/".
func parseRegexp(s string) (*regexp.Regexp, error) {
	body := s[1:]
	end := closingSlash(body)
	if end == len(body) {
		return nil, errors.New("regexp has no closing /")
	}
	if rest := strings.TrimSpace(body[end+1:]); rest != "" {
		return nil, fmt.Errorf("unexpected %q after the closing / of the regexp", rest)
	}
	re, err := regexp.Compile(body[:end])
	if err != nil {
		return nil, fmt.Errorf("bad regexp: %w", err)
	}
	return re, nil
}

func isType(t string) bool {
	for _, known := range types {
		if t == known {
			return true
		}
	}
	return false
}

func validName(s string) bool {
	for i, c := range s {
		letter := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}
