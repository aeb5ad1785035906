package lifecycle

import (
	"cmp"
	"fmt"
	"strings"
)

// reference is an image reference: [HOST[:PORT]/]PATH[:TAG][@DIGEST].
type reference struct {
	Repo   string // [HOST[:PORT]/]PATH
	Tag    string
	Digest string // sha256:<64 hex>
}

// parseReference splits s and checks what deploy relies on.
func parseReference(s string) (reference, error) {
	var ref reference
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest, ref.Digest = rest[:i], rest[i+1:]
	}
	tagged := false
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		rest, ref.Tag, tagged = rest[:i], rest[i+1:], true
	}
	ref.Repo = rest
	switch {
	case ref.Repo == "" || strings.HasSuffix(ref.Repo, "/") || strings.ContainsAny(s, " \t\n") || tagged && ref.Tag == "":
		return ref, fmt.Errorf("%q is no image reference (want [REGISTRY/]NAME[:TAG][@sha256:DIGEST])", s)
	case ref.Digest != "" && !isDigest(ref.Digest):
		return ref, fmt.Errorf("%q: bad digest %q (want sha256: and 64 hex digits)", s, ref.Digest)
	}
	return ref, nil
}

func isDigest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	return ok && len(hex) == 64 && strings.Trim(hex, "0123456789abcdef") == ""
}

// String is the reference as given: Repo[:Tag][@Digest]; latest when it
// names neither.
func (r reference) String() string {
	s := r.Repo
	if r.Tag != "" || r.Digest == "" {
		s += ":" + cmp.Or(r.Tag, "latest")
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// pinned is Repo@Digest, what every target runs.
func (r reference) pinned() string { return r.Repo + "@" + r.Digest }

// hex12 is the start of the digest, for names (NAME-<hex12>).
func (r reference) hex12() string {
	hex, ok := strings.CutPrefix(r.Digest, "sha256:")
	if !ok {
		return r.Digest // the dry run's <digest>
	}
	return hex[:12]
}
