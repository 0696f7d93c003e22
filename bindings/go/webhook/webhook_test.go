package webhook

import (
	"errors"
	"testing"
	"time"
)

const secret = "ssssssssssssssssssssssssssssssssssssssss"

var body = []byte(`{"id":"e1","event":"peer_joined","createdAt":1,"room":{"id":"r"},"peer":{"name":"alice"}}`)

// The same vector as @x/server's signWebhook and x_signaling's sign_webhook.
const header = "t=1000,v1=e7a180258ac49e114e96c21c5b9f8cf15d40f7acb6659cc065328e6059d53fb5"

func TestSignIsTheServersSignature(t *testing.T) {
	if got := Sign(body, secret, 1000); got != header {
		t.Fatalf("Sign = %s, want %s", got, header)
	}
}

func TestVerifyParsesTheEvent(t *testing.T) {
	event, err := VerifyAt(body, header, secret, DefaultTolerance, time.Unix(1010, 0))
	if err != nil {
		t.Fatal(err)
	}
	if event.Event != "peer_joined" || event.Room.ID != "r" || event.Peer.Name != "alice" {
		t.Fatalf("event = %+v", event)
	}
}

func TestVerifyRefuses(t *testing.T) {
	cases := []struct {
		body         []byte
		header, code string
		secret       string
		now          int64
	}{
		{body, "", MissingSignature, secret, 1000},
		{body, "t=x,v1=y", BadSignature, secret, 1000},
		{append(append([]byte(nil), body...), ' '), header, BadSignature, secret, 1000},
		{body, header, BadSignature, "tttttttttttttttttttttttttttttttttttttttt", 1000},
		{body, header, Expired, secret, 1301},
	}
	for _, c := range cases {
		_, err := VerifyAt(c.body, c.header, c.secret, DefaultTolerance, time.Unix(c.now, 0))
		var verr *VerificationError
		if !errors.As(err, &verr) || verr.Code != c.code {
			t.Errorf("header %q at %d: err = %v, want %s", c.header, c.now, err, c.code)
		}
	}
}
