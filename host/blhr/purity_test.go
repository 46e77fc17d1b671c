package blhr

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestPurity keeps the package's own files within the rules of doc.go: an
// allowlist of imports (no os, net, time, math/rand, host/node, …), no
// goroutines, no floating point, no range over a map.
func TestPurity(t *testing.T) {
	allowed := map[string]bool{
		"bytes": true, "crypto/sha512": true, "encoding/binary": true, "encoding/hex": true,
		"encoding/json": true, "errors": true, "fmt": true, "hash": true, "io": true, "slices": true,
		"strconv": true, "strings": true,
		"github.com/jtchain/jtchain/host/codec":  true,
		"github.com/jtchain/jtchain/host/crypto": true,
		"github.com/jtchain/jtchain/host/ledger": true,
	}
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			if path := strings.Trim(imp.Path.Value, `"`); !allowed[path] {
				t.Errorf("%s imports %s, which a pure package may not", fset.Position(imp.Pos()), path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: a goroutine", fset.Position(x.Pos()))
			case *ast.Ident:
				if x.Name == "float32" || x.Name == "float64" {
					t.Errorf("%s: floating point", fset.Position(x.Pos()))
				}
			case *ast.BasicLit:
				if x.Kind == token.FLOAT {
					t.Errorf("%s: floating-point literal", fset.Position(x.Pos()))
				}
			case *ast.MapType:
				t.Errorf("%s: a map type (its order could reach a hash)", fset.Position(x.Pos()))
			}
			return true
		})
	}
	if checked < 6 {
		t.Fatalf("checked only %d files", checked)
	}
}
