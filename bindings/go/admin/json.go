package admin

import (
	"fmt"
	"sort"

	signalingv1 "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
)

// JSON converts a value as encoding/json decodes it (nil, bool, float64,
// int, string, []any, map[string]any) to the schema's JsonValue, for the
// metadata (app data) of rooms and peers. Object members go in key order.
func JSON(value any) (*signalingv1.JsonValue, error) {
	switch v := value.(type) {
	case nil:
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_NullValue{NullValue: &signalingv1.JsonNull{}}}, nil
	case bool:
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_BoolValue{BoolValue: v}}, nil
	case float64:
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_NumberValue{NumberValue: v}}, nil
	case int:
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_NumberValue{NumberValue: float64(v)}}, nil
	case string:
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_StringValue{StringValue: v}}, nil
	case []any:
		array := &signalingv1.JsonArray{}
		for _, item := range v {
			converted, err := JSON(item)
			if err != nil {
				return nil, err
			}
			array.Values = append(array.Values, converted)
		}
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_ArrayValue{ArrayValue: array}}, nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		object := &signalingv1.JsonObject{}
		for _, key := range keys {
			converted, err := JSON(v[key])
			if err != nil {
				return nil, err
			}
			object.Members = append(object.Members, &signalingv1.JsonMember{Key: key, Value: converted})
		}
		return &signalingv1.JsonValue{Kind: &signalingv1.JsonValue_ObjectValue{ObjectValue: object}}, nil
	}
	return nil, fmt.Errorf("admin: %T is not a JSON value", value)
}

// FromJSON converts the schema's JsonValue back to a Go value (nil for an absent one).
func FromJSON(value *signalingv1.JsonValue) any {
	switch v := value.GetKind().(type) {
	case *signalingv1.JsonValue_BoolValue:
		return v.BoolValue
	case *signalingv1.JsonValue_NumberValue:
		return v.NumberValue
	case *signalingv1.JsonValue_StringValue:
		return v.StringValue
	case *signalingv1.JsonValue_ArrayValue:
		out := []any{}
		for _, item := range v.ArrayValue.GetValues() {
			out = append(out, FromJSON(item))
		}
		return out
	case *signalingv1.JsonValue_ObjectValue:
		out := map[string]any{}
		for _, member := range v.ObjectValue.GetMembers() {
			out[member.GetKey()] = FromJSON(member.GetValue())
		}
		return out
	}
	return nil
}
