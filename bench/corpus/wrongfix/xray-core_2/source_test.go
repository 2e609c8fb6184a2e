package outbound

import (
	"bytes"
	"go/format"
	"os"
	"testing"
)

// TestSourceIsGofmtStable passes on the input; with -tags patched gofmt rewrites the line
// `}                                             // TODO: customize & randomize`, so the patch
// fails the project's format check.
func TestSourceIsGofmtStable(t *testing.T) {
	src, err := os.ReadFile(sourceFile)
	if err != nil {
		t.Fatal(err)
	}
	formatted, err := format.Source(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(src, formatted) {
		t.Fatalf("%s is not gofmt-stable:\n%s", sourceFile, formatted)
	}
}
