// Command verify-webhooks verifies webhook deliveries as a Go receiver would:
// it reads a JSON array of {"body": "...", "signature": "..."} on stdin and
// prints, for each, the event name (or the error), one per line. The
// operators' tests run it on what their HTTP receiver got.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/x-sfu/x-sfu/bindings/go/webhook"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: verify-webhooks <secret> < deliveries.json")
		os.Exit(2)
	}
	var deliveries []struct {
		Body      string `json:"body"`
		Signature string `json:"signature"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&deliveries); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, d := range deliveries {
		event, err := webhook.Verify([]byte(d.Body), d.Signature, os.Args[1], webhook.DefaultTolerance)
		if err != nil {
			fmt.Println("error", err)
			continue
		}
		fmt.Println(event.Event, event.Room.ID)
	}
}
