// Package require checks that the variables a service needs are set and
// well-formed before it starts, reporting every problem at once.
//
// The integrator reads the spec from ENTRYPOINT_REQUIRE, for example
//
//	ENTRYPOINT_REQUIRE=DATABASE_URL,PORT:int,TIMEOUT:duration,API_URL:url,DEBUG:bool,NAME:/^[a-z]+$/
//
// Spec syntax: a comma-separated list of NAME or NAME:TYPE items (spaces
// around items are ignored, empty items too). TYPE is one of
//
//	string    any non-empty value (the default)
//	int       a base-10 integer that fits in 64 bits (strconv.ParseInt)
//	bool      1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False (strconv.ParseBool)
//	duration  a Go duration such as 300ms, 30s or 1h30m (time.ParseDuration)
//	url       an absolute URL with a scheme and a host, such as https://api:8080/v1
//	/RE/      a Go regexp (RE2 syntax) the value must match somewhere; anchor
//	          it with ^ and $ to match the whole value. RE may contain commas;
//	          a '/' inside RE is written \/, and \ escapes as in any Go regexp.
//
// Guarantees:
//   - A variable that is unset or set to the empty string is missing.
//   - Check reports every missing or invalid variable, one line each in spec
//     order, in an error carrying exit code 78 (exitcode.Config), such as
//     `PORT: "abc" is not an int` or `DATABASE_URL: not set`.
//   - Parse reports every malformed item, one line each, with exit code 78.
//   - The value of a variable whose name looks secret (secrets.LooksSecret)
//     never appears in a message; other values are quoted, shortened to 64
//     bytes.
package require

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/secrets"
)

// Check looks every rule's variable up and returns nil when all are set and
// valid.
func (s Spec) Check(lookup func(string) (string, bool)) error {
	var errs []error
	for _, r := range s {
		if err := r.check(lookup); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Name, err))
		}
	}
	return exitcode.Wrap(exitcode.Config, errors.Join(errs...))
}

// check says what is wrong with r's variable, if anything.
func (r Rule) check(lookup func(string) (string, bool)) error {
	v, ok := lookup(r.Name)
	switch {
	case !ok:
		return errors.New("not set")
	case v == "":
		return errors.New("set but empty")
	}
	if why := r.invalid(v); why != "" {
		return fmt.Errorf("%s %s", show(r.Name, v), why)
	}
	return nil
}

// invalid says how v fails r's type, or "" when it does not.
func (r Rule) invalid(v string) string {
	var err error
	switch r.Type {
	case "int":
		_, err = strconv.ParseInt(v, 10, 64)
	case "bool":
		_, err = strconv.ParseBool(v)
	case "duration":
		_, err = time.ParseDuration(v)
	case "url":
		return badURL(v)
	case "regexp":
		if !r.Pattern.MatchString(v) {
			return "does not match /" + r.Pattern.String() + "/"
		}
	}
	if err != nil {
		return "is not " + article(r.Type) + " " + r.Type
	}
	return ""
}

func badURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "is not an absolute url (scheme://host...)"
	}
	return ""
}

func article(t string) string {
	if t == "int" {
		return "an"
	}
	return "a"
}

// show quotes v for a message, hiding it when name looks secret.
func show(name, v string) string {
	if secrets.LooksSecret(name) {
		return fmt.Sprintf("the value (redacted, %d bytes)", len(v))
	}
	if len(v) > 64 {
		return strconv.Quote(v[:64]) + "..."
	}
	return strconv.Quote(v)
}
