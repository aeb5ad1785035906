package main

import (
	"runtime/debug"
)

// versionOverride is set at link time by release builds:
// -ldflags "-X main.versionOverride=v1.2.3".
var versionOverride string

// revisionOverride is set at link time by release builds, which stamp no
// VCS information (a git worktree has none to stamp, and the bytes must
// not depend on the kind of checkout): -X main.revisionOverride=0123abc.
var revisionOverride string

// version is the module version from the build information ("v1.2.3"
// after `go install …@v1.2.3`), or "devel".
func version() string {
	if versionOverride != "" {
		return versionOverride
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// revision is the short VCS revision the binary was built from, with
// "-dirty" for a modified tree, or "unknown".
func revision() string {
	if revisionOverride != "" {
		return revisionOverride
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", ""
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 7:
			rev = s.Value[:7]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "-dirty"
		}
	}
	return rev + dirty
}
