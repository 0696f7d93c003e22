package signalingv1_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
)

// The golden vectors TypeScript writes (protocol/testdata/vectors); another
// folder with X_VECTORS_DIR.
func vectorsDir(t *testing.T) string {
	dir := os.Getenv("X_VECTORS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "..", "protocol", "testdata", "vectors")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("no golden vectors at %s (run the tests inside the x SFU repository, or set X_VECTORS_DIR): %v", dir, err)
	}
	return dir
}

type vector struct {
	name    string
	typ     string
	data    []byte
	message json.RawMessage
}

func readVectors(t *testing.T, dir string) []vector {
	specs, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(specs)
	var vectors []vector
	for _, spec := range specs {
		text, err := os.ReadFile(spec)
		if err != nil {
			t.Fatal(err)
		}
		var parsed struct {
			Type    string          `json:"type"`
			Message json.RawMessage `json:"message"`
		}
		if err := json.Unmarshal(text, &parsed); err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		data, err := os.ReadFile(strings.TrimSuffix(spec, ".json") + ".bin")
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(spec), ".json")
		vectors = append(vectors, vector{name, parsed.Type, data, parsed.Message})
	}
	return vectors
}

func newEnvelope(t *testing.T, typ string) proto.Message {
	switch typ {
	case "x.signaling.v1.ClientMessage":
		return &pb.ClientMessage{}
	case "x.signaling.v1.ServerMessage":
		return &pb.ServerMessage{}
	}
	t.Fatalf("unknown envelope type %q", typ)
	return nil
}

// Two JSON texts hold the same value (key order and spacing aside).
func sameJSON(t *testing.T, a, b []byte) bool {
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}

// The problems of one vector: the bytes must decode to the JSON's message,
// with nothing unknown left over, and re-encode to the same bytes; the JSON
// must encode to the same bytes too.
func problems(t *testing.T, v vector) []string {
	var found []string
	decoded := newEnvelope(t, v.typ)
	if err := proto.Unmarshal(v.data, decoded); err != nil {
		return []string{fmt.Sprintf("does not decode: %v", err)}
	}
	if unknown := countUnknown(decoded); unknown > 0 {
		found = append(found, fmt.Sprintf("%d bytes of fields these bindings do not know", unknown))
	}
	again, err := proto.Marshal(decoded)
	if err != nil || !bytes.Equal(again, v.data) {
		found = append(found, fmt.Sprintf("re-encoding gives other bytes (%v): %x", err, again))
	}
	asJSON, err := protojson.Marshal(decoded)
	if err != nil || !sameJSON(t, asJSON, v.message) {
		found = append(found, fmt.Sprintf("decoded message differs from its JSON (%v): %s", err, asJSON))
	}
	fromJSON := newEnvelope(t, v.typ)
	if err := protojson.Unmarshal(v.message, fromJSON); err != nil {
		return append(found, fmt.Sprintf("JSON does not parse: %v", err))
	}
	encoded, err := proto.Marshal(fromJSON)
	if err != nil || !bytes.Equal(encoded, v.data) {
		found = append(found, fmt.Sprintf("the JSON encodes to other bytes (%v): %x", err, encoded))
	}
	return found
}

func countUnknown(m proto.Message) int {
	n := 0
	var walk func(proto.Message)
	walk = func(m proto.Message) {
		r := m.ProtoReflect()
		n += len(r.GetUnknown())
		r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message().Interface())
				}
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message().Interface())
			}
			return true
		})
	}
	walk(m)
	return n
}

func TestGoldenVectors(t *testing.T) {
	vectors := readVectors(t, vectorsDir(t))
	if len(vectors) == 0 {
		t.Fatal("no vectors found")
	}
	for _, v := range vectors {
		for _, p := range problems(t, v) {
			t.Errorf("%s: %s", v.name, p)
		}
	}
	t.Logf("go: checked %d TypeScript vectors", len(vectors))
}

// The check sees a vector that is not what its JSON says, or that carries a
// field these bindings do not know.
func TestGoldenVectorCheckFindsDifferences(t *testing.T) {
	vectors := readVectors(t, vectorsDir(t))
	var join vector
	for _, v := range vectors {
		if v.name == "request_join" {
			join = v
		}
	}
	if join.data == nil {
		t.Fatal("no request_join vector")
	}
	changed := join
	changed.data = bytes.Replace(join.data, []byte("alice"), []byte("alicf"), 1)
	if bytes.Equal(changed.data, join.data) {
		t.Fatal("request_join does not contain the peer name alice")
	}
	if got := problems(t, changed); len(got) != 2 {
		t.Errorf("a changed peer name: want 2 problems (JSON differs, JSON encodes otherwise), got %q", got)
	}
	unknown := join
	// Field 15 of ClientMessage, varint 1: a field from a newer schema.
	unknown.data = append(append([]byte{}, join.data...), 15<<3, 1)
	if got := problems(t, unknown); len(got) != 2 || !strings.Contains(got[0], "do not know") {
		t.Errorf("an unknown field: want 2 problems (unknown bytes, JSON encodes otherwise), got %q", got)
	}
}
