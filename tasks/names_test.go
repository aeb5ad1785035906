package tasks

import (
	"strings"
	"testing"
)

// spellings returns the ways a command line may spell the snake_case name.
func spellings(snake string) []string {
	parts := strings.Split(snake, "_")
	camel, pascal := parts[0], ""
	for i, p := range parts {
		title := strings.ToUpper(p[:1]) + p[1:]
		pascal += title
		if i > 0 {
			camel += title
		}
	}
	return []string{
		snake, strings.ReplaceAll(snake, "_", "-"), camel, pascal,
		strings.ToLower(camel), strings.ToUpper(snake), strings.ToUpper(camel),
	}
}

func TestCanonicalEveryStandardSpelling(t *testing.T) {
	for _, name := range Standard() {
		for _, spelled := range spellings(name) {
			if got := Canonical(spelled); got != name {
				t.Errorf("Canonical(%q) = %q, want %q", spelled, got, name)
			}
		}
	}
}

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"test_unit", "test_unit"},
		{"test-unit", "test_unit"},
		{"testUnit", "test_unit"},
		{"testunit", "test_unit"},
		{"TestUnit", "test_unit"},
		{"Test-Unit", "test_unit"},
		{"TEST_UNIT", "test_unit"},
		{"staticanalysis", "static_analysis"},
		{"test_sanity", "test_sanity"},
		{"testIntegration", "test_integration"},
		{"web", "run"},
		{"Web", "run"},
		{"release", "release"},
		{"prestart", "prestart"},
		{"dbMigrate", "db_migrate"},
		{"db-migrate", "db_migrate"},
		{"dbmigrate", "dbmigrate"},
		{"HTTPServer", "http_server"},
		{"serveHTTP", "serve_http"},
		{"test2Unit", "test2_unit"},
		{"ls", "ls"},
		{"/bin/sh", "/bin/sh"},
		{"--", "__"},
		{"", ""},
		{"Ünïcode", "ünïcode"},
	} {
		if got := Canonical(tc.in); got != tc.want {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStandard(t *testing.T) {
	want := "static_analysis test_unit test_integration build publish deploy run test_sanity"
	if got := strings.Join(Standard(), " "); got != want {
		t.Errorf("Standard() = %q, want %q", got, want)
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"web": true, "test_unit": true, "test-unit": true, "testUnit": true,
		"1st": true, "a": true, "": false, "-x": false, "_x": false,
		"a b": false, "a.b": false, "a/b": false, "é": false, "a$": false,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
}
