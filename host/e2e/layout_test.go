package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// goList returns `go list` output lines for the packages matching pattern.
func goList(t *testing.T, format, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", format, pattern).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pattern, err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// The pure core does no I/O and reads no clock or global randomness: its
// packages may not import anything that does (DESIGN.md §2).
func TestPureCorePackagesImportNoIO(t *testing.T) {
	forbidden := []string{"os", "net", "net/http", "time", "math/rand", "math/rand/v2", "syscall", "io/ioutil", "os/exec"}
	thirdParty := []string{"github.com/dgraph-io/badger", "github.com/libp2p", "github.com/knadh/koanf", "github.com/hashicorp/go-plugin"}
	for _, pattern := range []string{"github.com/jtchain/jtchain/host/codec/...", "github.com/jtchain/jtchain/host/ledger/...", "github.com/jtchain/jtchain/host/shamap/..."} {
		for _, line := range goList(t, "{{.ImportPath}}:{{join .Imports \" \"}}", pattern) {
			pkg, imports, _ := strings.Cut(line, ":")
			for _, imp := range strings.Fields(imports) {
				for _, f := range forbidden {
					if imp == f {
						t.Errorf("%s imports %s: the ledger core must do no I/O and read no clock or global randomness", pkg, imp)
					}
				}
				for _, p := range thirdParty {
					if strings.HasPrefix(imp, p) {
						t.Errorf("%s imports %s", pkg, imp)
					}
				}
			}
		}
	}
	// The consensus engine is a pure state machine too; it takes time.Time
	// and time.Duration values as inputs (its own purity test forbids the
	// clock functions), so only package time is allowed beyond the core's.
	for _, line := range goList(t, "{{.ImportPath}}:{{join .Imports \" \"}}", "github.com/jtchain/jtchain/host/consensus/rbft") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			for _, f := range forbidden {
				if imp == f && imp != "time" {
					t.Errorf("%s imports %s: the consensus engine must do no I/O and read no global randomness", pkg, imp)
				}
			}
			for _, p := range thirdParty {
				if strings.HasPrefix(imp, p) {
					t.Errorf("%s imports %s", pkg, imp)
				}
			}
		}
	}
}

// Only the designated packages may use each infrastructure library.
func TestInfrastructureLibrariesStayInTheirPackage(t *testing.T) {
	owners := map[string]string{
		"github.com/dgraph-io/badger":    "github.com/jtchain/jtchain/host/store",
		"github.com/libp2p":              "github.com/jtchain/jtchain/host/p2p",
		"github.com/knadh/koanf":         "github.com/jtchain/jtchain/host/config",
		"github.com/hashicorp/go-plugin": "github.com/jtchain/jtchain/host/plugin",
	}
	for _, line := range goList(t, "{{.ImportPath}}:{{join .Imports \" \"}}", "github.com/jtchain/jtchain/...") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			for lib, owner := range owners {
				if strings.HasPrefix(imp, lib) && !strings.HasPrefix(pkg, owner) &&
					!(lib == "github.com/hashicorp/go-plugin" && strings.HasPrefix(pkg, "github.com/jtchain/jtchain/sdk")) {
					t.Errorf("%s imports %s; only %s may", pkg, imp, owner)
				}
			}
		}
	}
}

// The SDK is what third parties build against; it must not reach into the host.
func TestSDKImportsNothingFromHost(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/jtchain/jtchain/sdk/...").CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "matched no packages") {
			return // no SDK packages yet
		}
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/jtchain/jtchain/host") {
			t.Errorf("the SDK depends on %s", dep)
		}
	}
}

// Plugins and examples are written as a third party would: against the SDK,
// never the host (DESIGN.md §2).
func TestPluginsAndExamplesImportNothingFromHost(t *testing.T) {
	for _, pattern := range []string{"github.com/jtchain/jtchain/plugins/...", "github.com/jtchain/jtchain/examples/..."} {
		out, err := exec.Command("go", "list", "-deps", pattern).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "matched no packages") {
				continue
			}
			t.Fatalf("go list %s: %v\n%s", pattern, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/jtchain/jtchain/host") {
				t.Errorf("%s depends on %s", pattern, dep)
			}
		}
	}
}
