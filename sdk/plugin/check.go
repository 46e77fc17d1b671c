package plugin

import (
	"fmt"
	"regexp"
)

// InfoRules are what a kind's conformance suite expects of a plugin's Info.
type InfoRules struct {
	Kind               Kind
	APIMajor, APIMinor uint32 // the kind's SDK versions
	// Wire says Info came over the wire, where the SDK fills the kind and
	// the API version; in process a plugin reports only what its author
	// sets, so those may be empty.
	Wire bool
	// Noun names the plugin in messages ("engine", "runtime", ...).
	Noun string
	// SemanticsExample, when set, makes Semantics required and shows an
	// example of it in the message (consensus and vm: the chain pins it).
	SemanticsExample string
	SemanticsWhy     string
}

// CheckInfo returns every way info breaks the rules, each starting with
// "Info: ".
func CheckInfo(info Info, r InfoRules) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("Info: "+format, args...)) }
	if info.Kind != r.Kind && (r.Wire || info.Kind != "") {
		bad("kind is %q, want %q", info.Kind, r.Kind)
	}
	if info.APIMajor != r.APIMajor && (r.Wire || info.APIMajor != 0) {
		bad("API major is %d, want %d (the SDK's)", info.APIMajor, r.APIMajor)
	}
	if info.APIMinor > r.APIMinor {
		bad("API minor %d is newer than the SDK's %d", info.APIMinor, r.APIMinor)
	}
	if info.Name == "" {
		bad("name is empty: name the %s, the node logs it", r.Noun)
	}
	if !semver.MatchString(info.Version) {
		bad("version %q is not a semantic version such as 1.2.3", info.Version)
	}
	if r.SemanticsExample != "" && info.Semantics == "" {
		bad("semantics is empty: %s, e.g. %q", r.SemanticsWhy, r.SemanticsExample)
	}
	seen := map[string]bool{}
	for _, c := range info.Capabilities {
		if c == "" || seen[c] {
			bad("capabilities %q hold an empty or repeated name", info.Capabilities)
			break
		}
		seen[c] = true
	}
	return errs
}

// semver is semver.org's pattern, with an optional leading v.
var semver = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
