// Package webhook verifies the x SFU's webhooks.
//
// The server POSTs each event as JSON with an X-Sfu-Signature header,
// "t=<unix seconds>,v1=<hex>": the HMAC-SHA256, keyed with the server's API
// secret, of "<t>.<body>" (the exact bytes sent). Verify before parsing:
//
//	event, err := webhook.Verify(body, r.Header.Get(webhook.SignatureHeader), secret, webhook.DefaultTolerance)
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries the signature.
const SignatureHeader = "X-Sfu-Signature"

// DefaultTolerance is how old (or far ahead) a webhook may be.
const DefaultTolerance = 5 * time.Minute

// Error codes of a VerificationError.
const (
	MissingSignature = "MISSING_SIGNATURE"
	BadSignature     = "BAD_SIGNATURE"
	Expired          = "EXPIRED"
)

// VerificationError says why a webhook was refused.
type VerificationError struct {
	Code    string
	Message string
}

func (e *VerificationError) Error() string { return e.Code + ": " + e.Message }

// Event is the JSON body of a webhook.
type Event struct {
	ID        string `json:"id"`
	Event     string `json:"event"`
	CreatedAt int64  `json:"createdAt"`
	Room      struct {
		ID string `json:"id"`
	} `json:"room"`
	Peer      *Peer           `json:"peer,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Producer  *Producer       `json:"producer,omitempty"`
	Recording *Recording      `json:"recording,omitempty"`
	Raw       json.RawMessage `json:"-"`
}

// Peer is the peer of an event.
type Peer struct {
	Name    string          `json:"name"`
	AppData json.RawMessage `json:"appData,omitempty"`
}

// Producer is the producer of an event.
type Producer struct {
	ID       uint32 `json:"id"`
	Kind     string `json:"kind"`
	PeerName string `json:"peerName"`
}

// Recording is the recording of an event.
type Recording struct {
	PeerNames []string `json:"peerNames"`
}

// Sign returns the signature header of body at timestamp (what the server sends).
func Sign(body []byte, secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", timestamp, hex.EncodeToString(mac.Sum(nil)))
}

// Verify checks that body was signed by the server with secret, no more than
// tolerance ago, and returns its event.
func Verify(body []byte, header string, secret string, tolerance time.Duration) (*Event, error) {
	return VerifyAt(body, header, secret, tolerance, time.Now())
}

// VerifyAt is Verify at a given time.
func VerifyAt(body []byte, header string, secret string, tolerance time.Duration, now time.Time) (*Event, error) {
	if header == "" {
		return nil, &VerificationError{MissingSignature, "no X-Sfu-Signature header"}
	}
	var timestamp int64 = -1
	signature := ""
	for _, part := range strings.Split(header, ",") {
		key, value, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			continue
		}
		switch key {
		case "t":
			if t, err := strconv.ParseInt(value, 10, 64); err == nil {
				timestamp = t
			}
		case "v1":
			signature = value
		}
	}
	given, err := hex.DecodeString(signature)
	if timestamp < 0 || err != nil || len(given) != sha256.Size {
		return nil, &VerificationError{BadSignature, "the X-Sfu-Signature header is malformed"}
	}
	expected, _ := hex.DecodeString(strings.SplitN(Sign(body, secret, timestamp), "v1=", 2)[1])
	if !hmac.Equal(expected, given) {
		return nil, &VerificationError{BadSignature, "the signature does not match the body"}
	}
	age := now.Unix() - timestamp
	if age < 0 {
		age = -age
	}
	if time.Duration(age)*time.Second > tolerance {
		return nil, &VerificationError{Expired, fmt.Sprintf("signed %d s ago: more than %s (a replay?)", now.Unix()-timestamp, tolerance)}
	}
	event := &Event{Raw: append(json.RawMessage(nil), body...)}
	if err := json.Unmarshal(body, event); err != nil {
		return nil, fmt.Errorf("webhook body: %w", err)
	}
	return event, nil
}
