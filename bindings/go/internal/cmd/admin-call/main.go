// Command admin-call calls a server's admin API with the Go client, for the
// operators' tests:
//
//	admin-call <url> <secret | token:JWT> list-rooms
//	admin-call <url> <secret | token:JWT> mute <room> <peer> <producer id> <true|false>
//	admin-call <url> <secret | token:JWT> peer-metadata <room> <peer> <json>
//	admin-call <url> <secret | token:JWT> remove <room> <peer> <message>
//
// It prints the result as JSON, or "error <code> <status>" and exits 1.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/x-sfu/x-sfu/bindings/go/admin"
	signalingv1 "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: admin-call <url> <secret | token:JWT> <command> [args]")
		os.Exit(2)
	}
	option := admin.WithSecret(os.Args[2])
	if strings.HasPrefix(os.Args[2], "token:") {
		option = admin.WithToken(strings.TrimPrefix(os.Args[2], "token:"))
	}
	client, err := admin.NewClient(os.Args[1], option)
	if err != nil {
		fail(err)
	}
	ctx := context.Background()
	args := os.Args[4:]
	var result any
	switch os.Args[3] {
	case "list-rooms":
		answer, err := client.ListRooms(ctx, &signalingv1.ListRoomsRequest{})
		if err != nil {
			fail(err)
		}
		rooms := []map[string]any{}
		for _, room := range answer.GetRooms() {
			rooms = append(rooms, map[string]any{"id": room.GetId(), "numPeers": room.GetNumPeers(), "appData": admin.FromJSON(room.GetAppData())})
		}
		result = rooms
	case "mute":
		id, _ := strconv.ParseUint(args[2], 10, 32)
		answer, err := client.MuteProducer(ctx, &signalingv1.MuteProducerRequest{Room: args[0], PeerName: args[1], ProducerId: uint32(id), Muted: args[3] == "true"})
		if err != nil {
			fail(err)
		}
		result = map[string]any{"id": answer.GetProducer().GetId(), "paused": answer.GetProducer().GetPaused()}
	case "peer-metadata":
		var value any
		if err := json.Unmarshal([]byte(args[2]), &value); err != nil {
			fail(err)
		}
		appData, err := admin.JSON(value)
		if err != nil {
			fail(err)
		}
		answer, err := client.UpdatePeerMetadata(ctx, &signalingv1.UpdatePeerMetadataRequest{Room: args[0], PeerName: args[1], AppData: appData})
		if err != nil {
			fail(err)
		}
		result = map[string]any{"name": answer.GetPeer().GetName(), "appData": admin.FromJSON(answer.GetPeer().GetAppData())}
	case "remove":
		if _, err := client.RemovePeer(ctx, &signalingv1.RemovePeerRequest{Room: args[0], PeerName: args[1], Message: args[2]}); err != nil {
			fail(err)
		}
		result = map[string]any{"removed": args[1]}
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[3])
		os.Exit(2)
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func fail(err error) {
	if e, ok := err.(*admin.Error); ok {
		fmt.Printf("error %s %d\n", e.Code, e.Status)
	} else {
		fmt.Println("error", err)
	}
	os.Exit(1)
}
