// Package admin is the admin API of an x SFU server for an app's backend in
// Go: the schema's RoomService (admin.proto) over HTTP, Twirp-style, with
// protobuf bodies and an admin token made from the server's API secret.
//
//	client, _ := admin.NewClient("http://localhost:7880", admin.WithSecret(secret))
//	rooms, err := client.ListRooms(ctx, &signalingv1.ListRoomsRequest{})
package admin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	signalingv1 "github.com/x-sfu/x-sfu/bindings/go/x/signaling/v1"
	"google.golang.org/protobuf/proto"
)

// Prefix is where the admin API answers.
const Prefix = "/twirp/x.signaling.v1.RoomService/"

// Error is an error the server answered: Twirp's code and the HTTP status.
type Error struct {
	Code    string
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message) }

// Client calls one server's (or cluster node's) admin API.
type Client struct {
	base   string
	secret string
	http   *http.Client

	mu    sync.Mutex
	token string
	until time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithSecret makes the client sign its own admin tokens with the API secret.
func WithSecret(secret string) Option { return func(c *Client) { c.secret = secret } }

// WithToken gives the client an admin token made elsewhere.
func WithToken(token string) Option {
	return func(c *Client) { c.token, c.until = token, time.Now().Add(100*365*24*time.Hour) }
}

// WithHTTPClient sets the HTTP client (default: a client with a 10 s timeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// NewClient returns a client of the server at url (its HTTP address).
func NewClient(url string, options ...Option) (*Client, error) {
	c := &Client{base: strings.TrimRight(url, "/"), http: &http.Client{Timeout: 10 * time.Second}}
	for _, o := range options {
		o(c)
	}
	if c.secret == "" && c.token == "" {
		return nil, errors.New("admin: the client needs the API secret (WithSecret) or a token (WithToken)")
	}
	return c, nil
}

func b64(data []byte) string { return base64.RawURLEncoding.EncodeToString(data) }

// CreateAdminToken signs an admin token (a JWT, HS256, claim admin: true) valid for ttl.
func CreateAdminToken(secret string, ttl time.Duration) (string, error) {
	if len(secret) < 32 {
		return "", errors.New("admin: the API secret is at least 32 bytes long")
	}
	now := time.Now().Unix()
	header := b64([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, err := json.Marshal(map[string]any{"admin": true, "iat": now, "exp": now + int64(ttl.Seconds())})
	if err != nil {
		return "", err
	}
	signed := header + "." + b64(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signed))
	return signed + "." + b64(mac.Sum(nil)), nil
}

func (c *Client) authorization() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.secret != "" && time.Now().After(c.until) {
		token, err := CreateAdminToken(c.secret, 15*time.Minute)
		if err != nil {
			return "", err
		}
		c.token, c.until = token, time.Now().Add(10*time.Minute)
	}
	return "Bearer " + c.token, nil
}

func (c *Client) call(ctx context.Context, method string, request, response proto.Message) error {
	body, err := proto.Marshal(request)
	if err != nil {
		return err
	}
	authorization, err := c.authorization()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+Prefix+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/protobuf")
	req.Header.Set("Authorization", authorization)
	answer, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer answer.Body.Close()
	data, err := io.ReadAll(io.LimitReader(answer.Body, 16<<20))
	if err != nil {
		return err
	}
	if answer.StatusCode != http.StatusOK {
		var twirp struct {
			Code string `json:"code"`
			Msg  string `json:"msg"`
		}
		if json.Unmarshal(data, &twirp) != nil || twirp.Code == "" {
			twirp.Code, twirp.Msg = "unknown", answer.Status
		}
		return &Error{Code: twirp.Code, Status: answer.StatusCode, Message: method + ": " + twirp.Msg}
	}
	return proto.Unmarshal(data, response)
}

// ListRooms lists the open rooms (those of request.Ids only, when given).
func (c *Client) ListRooms(ctx context.Context, request *signalingv1.ListRoomsRequest) (*signalingv1.ListRoomsResponse, error) {
	response := &signalingv1.ListRoomsResponse{}
	return response, c.call(ctx, "ListRooms", request, response)
}

// ListPeers lists a room's peers, with what they publish.
func (c *Client) ListPeers(ctx context.Context, request *signalingv1.ListPeersRequest) (*signalingv1.ListPeersResponse, error) {
	response := &signalingv1.ListPeersResponse{}
	return response, c.call(ctx, "ListPeers", request, response)
}

// RemovePeer removes a peer: its client is closed with reason removed and the message.
func (c *Client) RemovePeer(ctx context.Context, request *signalingv1.RemovePeerRequest) (*signalingv1.RemovePeerResponse, error) {
	response := &signalingv1.RemovePeerResponse{}
	return response, c.call(ctx, "RemovePeer", request, response)
}

// MuteProducer mutes (pauses) or unmutes a peer's producer.
func (c *Client) MuteProducer(ctx context.Context, request *signalingv1.MuteProducerRequest) (*signalingv1.MuteProducerResponse, error) {
	response := &signalingv1.MuteProducerResponse{}
	return response, c.call(ctx, "MuteProducer", request, response)
}

// UpdateRoomMetadata replaces a room's metadata: every peer is notified.
func (c *Client) UpdateRoomMetadata(ctx context.Context, request *signalingv1.UpdateRoomMetadataRequest) (*signalingv1.UpdateRoomMetadataResponse, error) {
	response := &signalingv1.UpdateRoomMetadataResponse{}
	return response, c.call(ctx, "UpdateRoomMetadata", request, response)
}

// UpdatePeerMetadata replaces a peer's metadata: every peer of the room is notified.
func (c *Client) UpdatePeerMetadata(ctx context.Context, request *signalingv1.UpdatePeerMetadataRequest) (*signalingv1.UpdatePeerMetadataResponse, error) {
	response := &signalingv1.UpdatePeerMetadataResponse{}
	return response, c.call(ctx, "UpdatePeerMetadata", request, response)
}

// CloseRoom closes a room.
func (c *Client) CloseRoom(ctx context.Context, request *signalingv1.CloseRoomRequest) (*signalingv1.CloseRoomResponse, error) {
	response := &signalingv1.CloseRoomResponse{}
	return response, c.call(ctx, "CloseRoom", request, response)
}

// CreateToken makes an access token for a peer of a room.
func (c *Client) CreateToken(ctx context.Context, request *signalingv1.CreateTokenRequest) (*signalingv1.CreateTokenResponse, error) {
	response := &signalingv1.CreateTokenResponse{}
	return response, c.call(ctx, "CreateToken", request, response)
}
