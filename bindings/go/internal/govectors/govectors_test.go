package govectors

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
)

// What Go writes reads back in Go: bytes and JSON give the same message.
func TestWrittenVectorsReadBack(t *testing.T) {
	dir := t.TempDir()
	n, err := Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(Vectors()) || n < 6 {
		t.Fatalf("wrote %d vectors", n)
	}
	for name, message := range Vectors() {
		data, err := os.ReadFile(filepath.Join(dir, name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		decoded := message.ProtoReflect().New().Interface()
		if err := proto.Unmarshal(data, decoded); err != nil || !proto.Equal(decoded, message) {
			t.Errorf("%s: bytes decode to another message (%v)", name, err)
		}
		again, _ := proto.Marshal(decoded)
		if !bytes.Equal(again, data) {
			t.Errorf("%s: re-encoding gives other bytes", name)
		}
	}
	join := Vectors()["go_request_join"].(*pb.ClientMessage)
	if join.GetRequest().GetJoin().GetProtocolVersion() != pb.ProtocolVersion {
		t.Errorf("the join vector does not carry ProtocolVersion")
	}
}

func TestJSONKeepsMemberOrder(t *testing.T) {
	value := JSON(Members{{"b", 1}, {"a", []any{nil, true, "x"}}})
	text, err := protojson.Marshal(value)
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Index(text, []byte(`"b"`))
	a := bytes.Index(text, []byte(`"a"`))
	if b < 0 || a < 0 || b > a {
		t.Errorf("members out of order: %s", text)
	}
}
