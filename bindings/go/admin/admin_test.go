package admin

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	var value any
	if err := json.Unmarshal([]byte(`{"role":"host","n":2,"tags":["a",true,null],"nested":{"x":1.5}}`), &value); err != nil {
		t.Fatal(err)
	}
	converted, err := JSON(value)
	if err != nil {
		t.Fatal(err)
	}
	if back := FromJSON(converted); !reflect.DeepEqual(back, value) {
		t.Fatalf("round trip: %#v != %#v", back, value)
	}
	if _, err := JSON(struct{}{}); err == nil {
		t.Fatal("a struct is not JSON")
	}
}

func TestAdminTokenShape(t *testing.T) {
	if _, err := CreateAdminToken("short", time.Minute); err == nil {
		t.Fatal("a short secret must be refused")
	}
	token, err := CreateAdminToken(strings.Repeat("s", 40), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(token, "."); len(parts) != 3 || parts[0] != "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" {
		t.Fatalf("not an HS256 JWT: %s", token)
	}
}
