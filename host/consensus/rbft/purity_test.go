package rbft

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPurity type-checks the package's own (non-test) files and enforces
// the rules of doc.go and STYLE.md §1: imports only from an allowlist (no
// os, net, io, math/rand, crypto/rand, …), no goroutines, no wall-clock or
// timer functions of package time (time.Duration and time.Time values are
// fine), no floating point, and no range over a map unless the loop is
// marked "// order-independent" and its result cannot depend on the order.
func TestPurity(t *testing.T) {
	allowed := map[string]bool{
		"bytes": true, "crypto/sha256": true, "encoding/binary": true, "errors": true, "fmt": true,
		"math": true, "slices": true, "strings": true, "time": true,
		"github.com/jtchain/jtchain/host/codec":     true,
		"github.com/jtchain/jtchain/host/consensus": true,
		"github.com/jtchain/jtchain/host/crypto":    true,
	}
	// Everything in package time that reads the clock or starts a timer.
	clock := map[string]bool{
		"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true, "AfterFunc": true,
		"NewTimer": true, "NewTicker": true, "Tick": true,
	}

	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if !allowed[path] {
				t.Errorf("%s imports %s, which is not on the allowlist of a pure package", fset.Position(imp.Pos()), path)
			}
		}
	}
	if len(files) < 5 {
		t.Fatalf("found only %d source files", len(files))
	}

	// Type-check against the export data the go command already built.
	out, err := exec.Command("go", "list", "-deps", "-export", "-f", "{{.ImportPath}}={{.Export}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok {
			exports[path] = file
		}
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check("github.com/jtchain/jtchain/host/consensus/rbft", fset, files, info); err != nil {
		t.Fatalf("type-check: %v", err)
	}

	for _, f := range files {
		marked := map[int]bool{} // lines with an order-independent mark
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.Contains(c.Text, "order-independent") {
					marked[fset.Position(c.Pos()).Line] = true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement in a pure state machine", fset.Position(n.Pos()))
			case *ast.Ident:
				if fn, ok := info.Uses[n].(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "time" && clock[fn.Name()] &&
					fn.Type().(*types.Signature).Recv() == nil {
					t.Errorf("%s: time.%s reads the clock or starts a timer", fset.Position(n.Pos()), fn.Name())
				}
			case *ast.RangeStmt:
				if _, isMap := info.Types[n.X].Type.Underlying().(*types.Map); isMap && !marked[fset.Position(n.Pos()).Line] {
					t.Errorf("%s: range over a map without an order-independent mark: its order could reach the outputs", fset.Position(n.Pos()))
				}
			case ast.Expr:
				if tv, ok := info.Types[n]; ok && tv.Type != nil {
					if b, ok := tv.Type.Underlying().(*types.Basic); ok && b.Info()&(types.IsFloat|types.IsComplex) != 0 {
						t.Errorf("%s: floating point in a deterministic state machine", fset.Position(n.Pos()))
						return false
					}
				}
			}
			return true
		})
	}
}
