"""The admin API of an x SFU server, for an app's backend in Python.

The schema's ``RoomService`` (admin.proto) over HTTP, Twirp-style, with
protobuf bodies and an admin token (made here from the server's API secret)::

    admin = RoomServiceClient("http://localhost:7880", secret=SECRET)
    for room in admin.list_rooms():
        print(room.id, room.num_peers)
    admin.remove_peer("demo", "troll", "removed by a moderator")

Every method raises :class:`AdminApiError` when the server refuses
(``code``: Twirp's ``unauthenticated``, ``permission_denied``, ``not_found``,
``invalid_argument``…; ``status``: the HTTP status).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, List, Optional, Sequence

from x_signaling.json_value import json_from_message, json_to_message
from x_signaling.v1 import admin_pb2, rtp_pb2

#: Where the admin API answers.
ADMIN_API_PREFIX = "/twirp/x.signaling.v1.RoomService/"


class AdminApiError(Exception):
    """The server refused an admin call."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        #: Twirp's error code.
        self.code = code
        #: The HTTP status.
        self.status = status


@dataclass(frozen=True)
class ProducerSummary:
    """A producer of a peer."""

    id: int
    kind: str  # 'audio' or 'video'
    paused: bool
    app_data: Any


@dataclass(frozen=True)
class PeerSummary:
    """A peer of a room."""

    name: str
    app_data: Any
    producers: List[ProducerSummary] = field(default_factory=list)


@dataclass(frozen=True)
class RoomSummary:
    """A room."""

    id: str
    num_peers: int
    app_data: Any


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def create_admin_token(secret: str, ttl_seconds: int = 900) -> str:
    """An admin token (a JWT, HS256, claim ``admin: true``) signed with the server's API secret."""
    if len(secret.encode("utf-8")) < 32:
        raise ValueError("the API secret is at least 32 bytes long")
    now = int(time.time())
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps({"admin": True, "iat": now, "exp": now + ttl_seconds}, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode("utf-8"), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _app_data(message) -> Any:
    return json_from_message(message) if message.ByteSize() else None


def _producer(m: admin_pb2.ProducerSummary) -> ProducerSummary:
    kind = "audio" if m.kind == rtp_pb2.MEDIA_KIND_AUDIO else "video"
    return ProducerSummary(id=m.id, kind=kind, paused=m.paused, app_data=_app_data(m.app_data))


def _peer(m: admin_pb2.PeerSummary) -> PeerSummary:
    return PeerSummary(name=m.name, app_data=_app_data(m.app_data), producers=[_producer(p) for p in m.producers])


def _room(m: admin_pb2.RoomSummary) -> RoomSummary:
    return RoomSummary(id=m.id, num_peers=m.num_peers, app_data=_app_data(m.app_data))


class RoomServiceClient:
    """The admin API of one server (or cluster node): ``url`` is its HTTP address (the server command's port)."""

    def __init__(self, url: str, *, secret: Optional[str] = None, token: Optional[str] = None, timeout: float = 10.0) -> None:
        if not secret and not token:
            raise ValueError("RoomServiceClient needs the API secret or an admin token")
        self._base = url.rstrip("/")
        self._secret = secret
        self._token = token
        self._token_until = float("inf") if token else 0.0
        self._timeout = timeout

    def list_rooms(self, ids: Sequence[str] = ()) -> List[RoomSummary]:
        """The open rooms (those of ``ids`` only, when given)."""
        answer = self._call("ListRooms", admin_pb2.ListRoomsRequest(ids=list(ids)), admin_pb2.ListRoomsResponse)
        return [_room(r) for r in answer.rooms]

    def list_peers(self, room: str) -> List[PeerSummary]:
        """A room's peers, with what they publish."""
        answer = self._call("ListPeers", admin_pb2.ListPeersRequest(room=room), admin_pb2.ListPeersResponse)
        return [_peer(p) for p in answer.peers]

    def remove_peer(self, room: str, peer_name: str, message: str = "") -> None:
        """Removes a peer: its client is closed with reason 'removed' and ``message``."""
        request = admin_pb2.RemovePeerRequest(room=room, peer_name=peer_name, message=message)
        self._call("RemovePeer", request, admin_pb2.RemovePeerResponse)

    def mute_producer(self, room: str, peer_name: str, producer_id: int, muted: bool) -> ProducerSummary:
        """Mutes (pauses) or unmutes a peer's producer: the others' consumers of it pause or resume."""
        request = admin_pb2.MuteProducerRequest(room=room, peer_name=peer_name, producer_id=producer_id, muted=muted)
        return _producer(self._call("MuteProducer", request, admin_pb2.MuteProducerResponse).producer)

    def update_room_metadata(self, room: str, app_data: Any) -> RoomSummary:
        """Replaces a room's metadata: every peer is notified."""
        request = admin_pb2.UpdateRoomMetadataRequest(room=room, app_data=json_to_message(app_data))
        return _room(self._call("UpdateRoomMetadata", request, admin_pb2.UpdateRoomMetadataResponse).room)

    def update_peer_metadata(self, room: str, peer_name: str, app_data: Any) -> PeerSummary:
        """Replaces a peer's metadata: every peer of the room is notified."""
        request = admin_pb2.UpdatePeerMetadataRequest(room=room, peer_name=peer_name, app_data=json_to_message(app_data))
        return _peer(self._call("UpdatePeerMetadata", request, admin_pb2.UpdatePeerMetadataResponse).peer)

    def close_room(self, room: str) -> None:
        """Closes a room: its peers are closed with reason 'room_closed'."""
        self._call("CloseRoom", admin_pb2.CloseRoomRequest(room=room), admin_pb2.CloseRoomResponse)

    def create_token(self, room: str, peer_name: str, ttl_seconds: int = 0, can_use_plain_rtp: bool = False) -> str:
        """An access token for ``peer_name`` in ``room`` (valid ``ttl_seconds``, default 6 hours)."""
        request = admin_pb2.CreateTokenRequest(
            room=room, peer_name=peer_name, ttl_seconds=ttl_seconds, can_use_plain_rtp=can_use_plain_rtp
        )
        return self._call("CreateToken", request, admin_pb2.CreateTokenResponse).token

    def _authorization(self) -> str:
        if self._secret and time.time() > self._token_until:
            self._token = create_admin_token(self._secret, 900)
            self._token_until = time.time() + 600
        return f"Bearer {self._token}"

    def _call(self, method: str, request, response_type):
        http = urllib.request.Request(
            f"{self._base}{ADMIN_API_PREFIX}{method}",
            data=request.SerializeToString(),
            method="POST",
            headers={"Content-Type": "application/protobuf", "Authorization": self._authorization()},
        )
        try:
            with urllib.request.urlopen(http, timeout=self._timeout) as answer:
                return response_type.FromString(answer.read())
        except urllib.error.HTTPError as error:
            try:
                body = json.loads(error.read().decode("utf-8"))
            except ValueError:
                body = {}
            raise AdminApiError(body.get("code", "unknown"), error.code, f"{method}: {body.get('msg', error.reason)}") from None
