// Package govectors builds protocol messages with the Go API, as a Go client
// or server would, and writes them as golden vectors (<name>.bin and
// <name>.json, like protocol/testdata/vectors) for the other languages to
// decode.
package govectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	pb "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
)

// JSON turns a Go value (nil, bool, float64, int, string, []any, or Members
// for an object, which keeps its member order) into a JsonValue.
func JSON(value any) *pb.JsonValue {
	switch v := value.(type) {
	case nil:
		return &pb.JsonValue{Kind: &pb.JsonValue_NullValue{NullValue: &pb.JsonNull{}}}
	case bool:
		return &pb.JsonValue{Kind: &pb.JsonValue_BoolValue{BoolValue: v}}
	case int:
		return &pb.JsonValue{Kind: &pb.JsonValue_NumberValue{NumberValue: float64(v)}}
	case float64:
		return &pb.JsonValue{Kind: &pb.JsonValue_NumberValue{NumberValue: v}}
	case string:
		return &pb.JsonValue{Kind: &pb.JsonValue_StringValue{StringValue: v}}
	case []any:
		array := &pb.JsonArray{}
		for _, item := range v {
			array.Values = append(array.Values, JSON(item))
		}
		return &pb.JsonValue{Kind: &pb.JsonValue_ArrayValue{ArrayValue: array}}
	case Members:
		object := &pb.JsonObject{}
		for _, m := range v {
			object.Members = append(object.Members, &pb.JsonMember{Key: m.Key, Value: JSON(m.Value)})
		}
		return &pb.JsonValue{Kind: &pb.JsonValue_ObjectValue{ObjectValue: object}}
	default:
		panic(fmt.Sprintf("govectors.JSON: %T is not a JSON value", value))
	}
}

// Member is one member of a JSON object.
type Member struct {
	Key   string
	Value any
}

// Members is a JSON object with its members in order.
type Members []Member

func u32(v uint32) *uint32            { return &v }
func f64(v float64) *float64          { return &v }
func str(v string) *string            { return &v }
func boolean(v bool) *bool            { return &v }
func role(v pb.DtlsRole) *pb.DtlsRole { return &v }

// Vectors are the messages Go writes, by vector name.
func Vectors() map[string]proto.Message {
	vp8 := &pb.RtpCodecCapability{
		Kind:                 pb.MediaKind_MEDIA_KIND_VIDEO,
		MimeType:             "video/VP8",
		PreferredPayloadType: u32(101),
		ClockRate:            90000,
		Parameters: []*pb.Parameter{
			{Name: "x-google-start-bitrate", Value: &pb.Parameter_NumberValue{NumberValue: 1000}},
			{Name: "go-extra", Value: &pb.Parameter_JsonValue{JsonValue: JSON([]any{1, "two", nil})}},
		},
		RtcpFeedback: []*pb.RtcpFeedback{{Type: "nack"}, {Type: "nack", Parameter: str("pli")}},
	}
	join := &pb.ClientMessage{Message: &pb.ClientMessage_Request{Request: &pb.Request{
		Id: 1,
		Body: &pb.Request_Join{Join: &pb.JoinRequest{
			ProtocolVersion: pb.ProtocolVersion,
			PeerName:        "gopher",
			RtpCapabilities: &pb.RtpCapabilities{Codecs: []*pb.RtpCodecCapability{vp8}},
			AppData: JSON(Members{
				{"lang", "go"},
				{"zero", 0},
				{"max_safe_integer", 9007199254740991},
				{"negative", -0.5},
				{"text", "ünïcödé ☃ \"quoted\"\n"},
				{"nested", Members{{"empty", Members{}}, {"list", []any{}}}},
			}),
			Token: "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
		}},
	}}}

	plain := &pb.ClientMessage{Message: &pb.ClientMessage_Request{Request: &pb.Request{
		Id: 2,
		Body: &pb.Request_CreateTransport{CreateTransport: &pb.CreateTransportRequest{
			Id:        4294967295,
			Direction: pb.TransportDirection_TRANSPORT_DIRECTION_SEND,
			AppData:   JSON(Members{{"source", "ffmpeg"}}),
			PlainRtpParameters: &pb.PlainRtpParameters{
				Ip:        "127.0.0.1",
				IpVersion: 4,
				Port:      50000,
				// Set to zero on purpose: proto3 `optional` keeps the presence.
				RtcpPort: u32(0),
			},
		}},
	}}}

	joined := &pb.ServerMessage{Message: &pb.ServerMessage_Response{Response: &pb.Response{
		Id: 1,
		Result: &pb.Response_Join{Join: &pb.JoinResponse{
			Peers: []*pb.PeerInfo{{
				Name:    "camera",
				AppData: JSON(Members{{"device", "lavfi"}}),
				Consumers: []*pb.ConsumerInfo{{
					Id:               7,
					Kind:             pb.MediaKind_MEDIA_KIND_VIDEO,
					PeerName:         "camera",
					Paused:           true,
					PreferredProfile: pb.Profile_PROFILE_HIGH,
					EffectiveProfile: pb.Profile_PROFILE_NONE,
					Supported:        true,
					Simulcast:        true,
				}},
			}},
			SessionId:      "c2Vzc2lvbi1pZA",
			SessionGraceMs: 20000,
		}},
	}}}

	stats := &pb.ServerMessage{Message: &pb.ServerMessage_Notification{Notification: &pb.ServerNotification{
		Body: &pb.ServerNotification_ProducerStats{ProducerStats: &pb.ProducerStatsNotification{
			Id: 99,
			Stats: []*pb.Stats{{
				Type:         "inbound-rtp",
				Timestamp:    1732212345678.5,
				Ssrc:         u32(1111),
				Kind:         str("video"),
				MimeType:     str("video/VP8"),
				FractionLost: f64(0.125),
				PacketCount:  f64(123456),
				ByteCount:    f64(4.5e9),
				Bitrate:      f64(1e-7),
				Score:        f64(0),
				// Protocol version 2: mediasoup's bitrateByLayer, typed.
				BitrateByLayer: []*pb.LayerBitrate{
					{SpatialLayer: 0, TemporalLayer: 0, Bitrate: 100000},
					{SpatialLayer: 0, TemporalLayer: 1, Bitrate: 250000},
				},
				RtcpMux:           boolean(false),
				RtpPacketLossSent: f64(0.5),
				Tuple: &pb.TransportTuple{
					LocalIp:    "127.0.0.1",
					LocalPort:  42001,
					RemoteIp:   str("127.0.0.1"),
					RemotePort: u32(50000),
					Protocol:   pb.TransportProtocol_TRANSPORT_PROTOCOL_UDP,
				},
				Extra: JSON(Members{{"go", true}}),
			}},
		}},
	}}}

	forbidden := &pb.ServerMessage{Message: &pb.ServerMessage_Response{Response: &pb.Response{
		Id: 3,
		Result: &pb.Response_Error{Error: &pb.Error{
			Code:    pb.ErrorCode_ERROR_CODE_FORBIDDEN,
			Message: "this token cannot publish",
			Field:   "token",
		}},
	}}}

	update := &pb.ClientMessage{Message: &pb.ClientMessage_Notification{Notification: &pb.ClientNotification{
		Body: &pb.ClientNotification_UpdateTransport{UpdateTransport: &pb.UpdateTransportNotification{
			Id: 12,
			DtlsParameters: &pb.DtlsParameters{
				Role:         role(pb.DtlsRole_DTLS_ROLE_CLIENT),
				Fingerprints: []*pb.DtlsFingerprint{{Algorithm: "sha-256", Value: "AB:CD:EF"}},
			},
		}},
	}}}

	return map[string]proto.Message{
		"go_request_join":                   join,
		"go_request_create_plain_transport": plain,
		"go_response_join":                  joined,
		"go_notification_producer_stats":    stats,
		"go_response_error":                 forbidden,
		"go_notification_update_transport":  update,
	}
}

// Write writes every vector to dir: <name>.bin, the message's bytes, and
// <name>.json, its envelope type and the message in the proto3 JSON mapping.
func Write(dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	vectors := Vectors()
	names := make([]string, 0, len(vectors))
	for name := range vectors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		message := vectors[name]
		data, err := proto.Marshal(message)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		// protojson's spacing varies on purpose: compact it, then indent it.
		raw, err := protojson.Marshal(message)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		var compact, spec bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return 0, err
		}
		fmt.Fprintf(&spec, `{"type":%q,"message":%s}`, message.ProtoReflect().Descriptor().FullName(), compact.Bytes())
		var indented bytes.Buffer
		if err := json.Indent(&indented, spec.Bytes(), "", "  "); err != nil {
			return 0, err
		}
		indented.WriteByte('\n')
		if err := os.WriteFile(filepath.Join(dir, name+".bin"), data, 0o644); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), indented.Bytes(), 0o644); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}
