package tasks

import (
	"strings"
	"testing"
)

func TestList(t *testing.T) {
	r := load(t, map[string]string{"package.json": "{}", "Procfile": "# seed the db\nseed: node seed.js\nweb: node server.js\n"}, nil)
	var b strings.Builder
	if err := WriteList(&b, r.List()); err != nil {
		t.Fatal(err)
	}
	want := `build             built-in     build the service image, tagged with the git revision
deploy            built-in     deploy the image by digest (runs release first)
publish           built-in     push the image; promote an existing image by digest
run               procfile     run the service
seed              procfile     seed the db
static_analysis   preset:node  static analysis (vet, lint)
test_integration  none         integration tests against the service and its dependencies
test_sanity       none         sanity tests against the deployed service
test_unit         preset:node  unit tests
`
	if got := b.String(); got != want {
		t.Errorf("WriteList:\n%s\nwant:\n%s", got, want)
	}
}

func TestListResolvesLikeResolve(t *testing.T) {
	r := load(t, map[string]string{"go.mod": "", "Procfile": goProcfile}, nil)
	for _, listed := range r.List() {
		resolved, err := r.Resolve(listed.Name, nil)
		if listed.Source == SourceNone || listed.Name == "empty" {
			if err == nil {
				t.Errorf("%s: listed as %s but resolves", listed.Name, listed.Source)
			}
			continue
		}
		if err != nil || resolved.Source != listed.Source || resolved.Description != listed.Description {
			t.Errorf("%s: listed %+v, resolved %+v, %v", listed.Name, listed, resolved, err)
		}
	}
}

func TestWriteListNoTrailingBlanks(t *testing.T) {
	var b strings.Builder
	if err := WriteList(&b, []Task{{Name: "a", Source: SourceProcfile}, {Name: "long_name", Source: "preset:go", Description: "d"}}); err != nil {
		t.Fatal(err)
	}
	if want := "a          procfile\nlong_name  preset:go  d\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
