package signalingv1_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	pb "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
)

// joinFrame and handle are the README's example, compiled and run here.

// joinFrame is the frame a client sends to join: one binary WebSocket message.
func joinFrame(id uint32, peer, token string, caps *pb.RtpCapabilities) ([]byte, error) {
	return proto.Marshal(&pb.ClientMessage{Message: &pb.ClientMessage_Request{Request: &pb.Request{
		Id: id,
		Body: &pb.Request_Join{Join: &pb.JoinRequest{
			ProtocolVersion: pb.ProtocolVersion,
			PeerName:        peer,
			RtpCapabilities: caps, // from the queryRoom response, or the client's own
			Token:           token,
		}},
	}}})
}

// handle reads one frame from the server.
func handle(frame []byte) error {
	var message pb.ServerMessage
	if err := proto.Unmarshal(frame, &message); err != nil {
		return err
	}
	switch m := message.GetMessage().(type) {
	case *pb.ServerMessage_Response:
		if e := m.Response.GetError(); e != nil {
			// e.g. ERROR_CODE_UNAUTHENTICATED: no valid access token
			return fmt.Errorf("request %d: %s: %s", m.Response.GetId(), e.GetCode(), e.GetMessage())
		}
		if join := m.Response.GetJoin(); join != nil {
			fmt.Println(len(join.GetPeers()), "peers in the room")
		}
	case *pb.ServerMessage_Notification:
		if c := m.Notification.GetNewConsumer(); c != nil {
			fmt.Println(c.GetConsumer().GetPeerName(), "sends", c.GetConsumer().GetKind())
		}
	}
	return nil
}

// A client's frames: a join with an access token, then what the server may
// answer and notify. Each message is one WebSocket binary frame.
func Example() {
	frame, err := joinFrame(1, "gopher", "<access token>", &pb.RtpCapabilities{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("join: %d bytes\n", len(frame))

	// An error response, byte by byte: ServerMessage.response (1) { id (1) = 1,
	// error (2) { code (1) = 9 UNAUTHENTICATED, message (2) = "no token" } }.
	fmt.Println(handle([]byte{0x0a, 0x10, 0x08, 0x01, 0x12, 0x0c, 0x08, 0x09, 0x12, 0x08, 'n', 'o', ' ', 't', 'o', 'k', 'e', 'n'}))

	joined, _ := proto.Marshal(&pb.ServerMessage{Message: &pb.ServerMessage_Response{Response: &pb.Response{
		Id:     1,
		Result: &pb.Response_Join{Join: &pb.JoinResponse{Peers: []*pb.PeerInfo{{Name: "alice"}}}},
	}}})
	fmt.Println(handle(joined))

	consumer, _ := proto.Marshal(&pb.ServerMessage{Message: &pb.ServerMessage_Notification{Notification: &pb.ServerNotification{
		Body: &pb.ServerNotification_NewConsumer{NewConsumer: &pb.NewConsumerNotification{
			Consumer: &pb.ConsumerInfo{Id: 7, PeerName: "alice", Kind: pb.MediaKind_MEDIA_KIND_VIDEO},
		}},
	}}})
	fmt.Println(handle(consumer))
	// Output:
	// join: 34 bytes
	// request 1: ERROR_CODE_UNAUTHENTICATED: no token
	// 1 peers in the room
	// <nil>
	// alice sends MEDIA_KIND_VIDEO
	// <nil>
}
