package signalingv1_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The committed bindings are what scripts/generate.sh makes of the schema
// today (Debian's protoc and protoc-gen-go): they must be regenerated with
// the schema, never edited by hand.
func runCheck(t *testing.T, dir string) (string, error) {
	script := filepath.Join("..", "..", "..", "scripts", "generate.sh")
	out, err := exec.Command("bash", script, "--check", "--dir", dir).CombinedOutput()
	return string(out), err
}

func TestGeneratedCodeIsCurrent(t *testing.T) {
	out, err := runCheck(t, ".")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestStaleCheckFailsOnAHandEdit(t *testing.T) {
	copyDir := t.TempDir()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if f == "errors.pb.go" {
			data = []byte(strings.Replace(string(data), "ERROR_CODE_FORBIDDEN", "ERROR_CODE_F0RBIDDEN", 1))
		}
		if err := os.WriteFile(filepath.Join(copyDir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCheck(t, copyDir)
	if err == nil || !strings.Contains(out, "stale or edited by hand: errors.pb.go") {
		t.Fatalf("the check passed a hand-edited errors.pb.go: %v\n%s", err, out)
	}
	if err := os.Remove(filepath.Join(copyDir, "errors.pb.go")); err != nil {
		t.Fatal(err)
	}
	if out, err := runCheck(t, copyDir); err == nil || !strings.Contains(out, "errors.pb.go") {
		t.Fatalf("the check passed a missing errors.pb.go: %v\n%s", err, out)
	}
}
