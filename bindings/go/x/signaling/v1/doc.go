// Package signalingv1 is the Go binding of the x SFU's signaling protocol,
// protobuf package x.signaling.v1 (protocol/x/signaling/v1/*.proto in the
// repository), generated with protoc-gen-go.
//
// Every WebSocket binary frame carries exactly one message: a client sends
// ClientMessage (a Request with an id, or a ClientNotification), the server
// sends ServerMessage (a Response to a request id, with an Error or the ok
// payload, or a ServerNotification). Encode a frame with proto.Marshal and
// decode one with proto.Unmarshal (google.golang.org/protobuf/proto).
// A client joins with ProtocolVersion.
package signalingv1
