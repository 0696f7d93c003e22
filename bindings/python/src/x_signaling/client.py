"""A small asyncio signaling client of the x SFU, on websockets.

One :class:`Client` is one WebSocket connection to a room. It sends requests
and matches their responses by id, and queues the server's notifications
for :meth:`Client.notifications`. It speaks the protocol only: WebRTC media
is :mod:`x_signaling.media` (on this client), plain RTP is the program's
(see the plain RTP example).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Dict, Optional, Set, Tuple

import websockets
from google.protobuf.message import Message

from x_signaling._version import PROTOCOL_VERSION
from x_signaling.errors import ConnectionClosed, ProtocolError
from x_signaling.framing import (
    DEFAULT_MAX_FRAME_SIZE,
    decode_server_message,
    encode_client_message,
    response_result,
)
from x_signaling.json_value import json_to_message
from x_signaling.v1 import (
    notifications_pb2,
    requests_pb2,
    rtp_pb2,
    signaling_pb2,
    transport_pb2,
)

#: Default time to wait for a response, in seconds.
DEFAULT_REQUEST_TIMEOUT = 10.0
#: Default largest number of notifications received and not yet consumed.
DEFAULT_MAX_QUEUED_NOTIFICATIONS = 10_000

_END = object()


@dataclass(frozen=True)
class PlainTransport:
    """A plain RTP transport the server created for this peer."""

    #: Transport id (chosen by the client).
    id: int
    #: 'send' or 'recv', as seen from the client.
    direction: str
    #: Address the server receives RTP on (send) or sends it from (recv).
    local_ip: str
    #: The server's RTP port.
    local_port: int
    #: The server's RTCP port, when RTCP is not multiplexed.
    local_rtcp_port: Optional[int]


class Client:
    """A signaling connection to a room of an x SFU server.

    Create it with :meth:`connect`; use it as an async context manager, or
    call :meth:`close` (or :meth:`leave`) when done::

        async with await Client.connect("ws://localhost:8080/?roomId=demo") as client:
            room = await client.query_room()
            joined = await client.join("py", rtp_capabilities=room.rtp_capabilities, token=token)
            async for notification in client.notifications():
                print(notification.WhichOneof("body"))

    Every request method raises :class:`ServerError` when the server answers
    with an error, :class:`ConnectionClosed` when the connection is gone,
    :class:`ProtocolError` for a frame that is bad either way, and
    ``asyncio.TimeoutError`` when no response comes in time.
    """

    def __init__(
        self,
        websocket: Any,
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        max_queued_notifications: int = DEFAULT_MAX_QUEUED_NOTIFICATIONS,
    ) -> None:
        if max_queued_notifications < 1:
            raise ValueError("max_queued_notifications must be at least 1")
        self._websocket = websocket
        self._max_frame_size = max_frame_size
        self._request_timeout = request_timeout
        self._max_queued = max_queued_notifications
        self._next_id = 1
        self._pending: Dict[int, asyncio.Future] = {}
        self._queue: asyncio.Queue = asyncio.Queue()
        self._queued = 0
        self._ids: Set[int] = set()
        self._failure: Optional[BaseException] = None
        # A join or resume response waiting for its peer_batch notifications, and how many are left.
        self._batching: Optional[Tuple[signaling_pb2.Response, int]] = None
        self._closed: Optional[ConnectionClosed] = None
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        open_timeout: float = 10.0,
        max_queued_notifications: int = DEFAULT_MAX_QUEUED_NOTIFICATIONS,
    ) -> "Client":
        """Opens a connection to ``url`` (e.g. ``ws://host:8080/?roomId=demo``)."""
        websocket = await websockets.connect(url, max_size=max_frame_size, open_timeout=open_timeout)
        return cls(
            websocket,
            max_frame_size=max_frame_size,
            request_timeout=request_timeout,
            max_queued_notifications=max_queued_notifications,
        )

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        """Whether the connection is closed."""
        return self._closed is not None

    # Requests -----------------------------------------------------------

    async def request(self, timeout: Optional[float] = None, **body: Message) -> Any:
        """Sends one request and returns the ok payload of its response.

        ``body`` names the request's kind and message, as in the schema's
        ``Request.body`` oneof: ``request(query_room=QueryRoomRequest())``
        returns a QueryRoomResponse.
        """
        if len(body) != 1:
            raise TypeError("request() takes exactly one request body, e.g. query_room=QueryRoomRequest()")
        ((kind, payload),) = body.items()
        if self._closed is not None:
            raise self._closed
        request_id = self._next_id
        self._next_id += 1
        request = signaling_pb2.Request(id=request_id)
        getattr(request, kind).CopyFrom(payload)
        frame = encode_client_message(signaling_pb2.ClientMessage(request=request), max_frame_size=self._max_frame_size)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._send(frame)
            wait = self._request_timeout if timeout is None else timeout
            try:
                response = await asyncio.wait_for(future, wait)
            except asyncio.TimeoutError:
                raise asyncio.TimeoutError(f"no response to {kind} (request {request_id}) within {wait} s") from None
        finally:
            self._pending.pop(request_id, None)
        return response_result(response, kind)

    async def notify(self, **body: Message) -> None:
        """Sends one notification: ``notify(pause_producer=PauseProducerNotification(id=…))``."""
        if len(body) != 1:
            raise TypeError("notify() takes exactly one notification body")
        ((kind, payload),) = body.items()
        if self._closed is not None:
            raise self._closed
        notification = signaling_pb2.ClientNotification()
        getattr(notification, kind).CopyFrom(payload)
        await self._send(
            encode_client_message(
                signaling_pb2.ClientMessage(notification=notification), max_frame_size=self._max_frame_size
            )
        )

    async def query_room(self, token: str = "") -> requests_pb2.QueryRoomResponse:
        """The room's RTP capabilities, before joining.

        ``token`` is the same access token as for :meth:`join`: a server with
        access control answers only clients that hold one.
        """
        return await self.request(query_room=requests_pb2.QueryRoomRequest(token=token))

    async def join(
        self,
        peer_name: str,
        *,
        rtp_capabilities: rtp_pb2.RtpCapabilities,
        token: str = "",
        spy: bool = False,
        app_data: Any = None,
    ) -> requests_pb2.JoinResponse:
        """Joins the room as ``peer_name``; returns the peers already there, each with its consumers.

        When the room's peers do not fit in one frame, the server sends the
        rest in ``peer_batch`` notifications right after the response: they
        are gathered here, so the JoinResponse returned holds every peer.

        ``token`` is the access token the app's backend made for this peer
        and room (required when the server has ``auth``). ``rtp_capabilities``
        is what this client can receive (at least one codec of the room's).
        """
        join = requests_pb2.JoinRequest(
            protocol_version=PROTOCOL_VERSION,
            peer_name=peer_name,
            rtp_capabilities=rtp_capabilities,
            spy=spy,
            token=token,
        )
        if app_data is not None:
            join.app_data.CopyFrom(json_to_message(app_data))
        return await self.request(join=join)

    async def create_plain_transport(
        self,
        *,
        remote_ip: str,
        remote_port: int,
        rtcp_port: Optional[int] = None,
        direction: str = "send",
        ip_version: int = 4,
        transport_id: Optional[int] = None,
        app_data: Any = None,
    ) -> PlainTransport:
        """Creates a plain RTP transport (no ICE, no DTLS) for a sender such as ffmpeg or GStreamer.

        ``remote_ip``/``remote_port`` are the sender's own address: the server
        accepts RTP from that address only and sends RTCP to it. With
        ``rtcp_port``, RTCP uses its own ports both sides (ffmpeg's default);
        without, it is multiplexed on the RTP port.
        """
        if direction not in ("send", "recv"):
            raise ValueError("direction must be 'send' or 'recv'")
        transport_id = self._new_id(transport_id)
        request = requests_pb2.CreateTransportRequest(
            id=transport_id,
            direction=transport_pb2.TRANSPORT_DIRECTION_SEND
            if direction == "send"
            else transport_pb2.TRANSPORT_DIRECTION_RECV,
            plain_rtp_parameters=transport_pb2.PlainRtpParameters(
                ip=remote_ip, ip_version=ip_version, port=remote_port, rtcp_port=rtcp_port
            ),
        )
        if app_data is not None:
            request.app_data.CopyFrom(json_to_message(app_data))
        response = await self.request(create_transport=request)
        local = response.plain_rtp_parameters
        return PlainTransport(
            id=transport_id,
            direction=direction,
            local_ip=local.ip,
            local_port=local.port,
            local_rtcp_port=local.rtcp_port if local.HasField("rtcp_port") else None,
        )

    async def create_producer(
        self,
        *,
        transport_id: int,
        kind: str,
        rtp_parameters: rtp_pb2.RtpParameters,
        paused: bool = False,
        producer_id: Optional[int] = None,
        app_data: Any = None,
    ) -> int:
        """Creates a producer on a send transport; returns its id. ``kind`` is 'audio' or 'video'."""
        kinds = {"audio": rtp_pb2.MEDIA_KIND_AUDIO, "video": rtp_pb2.MEDIA_KIND_VIDEO}
        if kind not in kinds:
            raise ValueError("kind must be 'audio' or 'video'")
        producer_id = self._new_id(producer_id)
        request = requests_pb2.CreateProducerRequest(
            id=producer_id, kind=kinds[kind], transport_id=transport_id, rtp_parameters=rtp_parameters, paused=paused
        )
        if app_data is not None:
            request.app_data.CopyFrom(json_to_message(app_data))
        await self.request(create_producer=request)
        return producer_id

    async def leave(self, app_data: Any = None) -> None:
        """Leaves the room (the other peers get peer_closed) and closes the connection."""
        if self._closed is None:
            leave = notifications_pb2.LeaveNotification()
            if app_data is not None:
                leave.app_data.CopyFrom(json_to_message(app_data))
            try:
                await self.notify(leave=leave)
            except ConnectionClosed:
                pass
        await self.close()

    async def close(self) -> None:
        """Closes the connection (a clean close: the server ends this peer at once)."""
        await self._websocket.close(1000, "bye")
        await self._reader

    # Notifications ------------------------------------------------------

    async def notifications(self) -> AsyncIterator[signaling_pb2.ServerNotification]:
        """The server's notifications, in order, until the connection closes.

        Each is a ServerNotification: ``n.WhichOneof('body')`` names it
        ('new_peer', 'new_consumer', 'peer_closed', …). Ends when the
        connection closes; raises the error that closed it when this side
        failed (a bad frame, or more than ``max_queued_notifications`` not
        consumed).
        """
        while True:
            item = await self._queue.get()
            if item is _END:
                self._queue.put_nowait(_END)  # for any other iterator
                if self._failure is not None:
                    raise self._failure
                return
            self._queued -= 1
            yield item

    async def wait_for(
        self,
        kind: str,
        predicate: Optional[Callable[[Any], bool]] = None,
        *,
        timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> Any:
        """The body of the next notification of ``kind`` (e.g. 'new_consumer') that ``predicate`` accepts.

        Notifications of other kinds received meanwhile are consumed and dropped.
        Raises asyncio.TimeoutError, or ConnectionClosed if the connection ends first.
        """

        async def first() -> Any:
            async for notification in self.notifications():
                if notification.WhichOneof("body") == kind:
                    body = getattr(notification, kind)
                    if predicate is None or predicate(body):
                        return body
            raise self._closed or ConnectionClosed(f"the connection closed before a {kind} notification")

        try:
            return await asyncio.wait_for(first(), timeout)
        except asyncio.TimeoutError:
            raise asyncio.TimeoutError(f"no {kind} notification within {timeout} s") from None

    # Internals -----------------------------------------------------------

    def _new_id(self, wanted: Optional[int]) -> int:
        """A transport or producer id: random 32-bit, non-zero, unused by this client (as mediasoup v2)."""
        if wanted is not None:
            if not 0 < wanted < 2**32:
                raise ValueError("ids are 32-bit numbers above 0")
            self._ids.add(wanted)
            return wanted
        while True:
            candidate = secrets.randbits(32)
            if candidate and candidate not in self._ids:
                self._ids.add(candidate)
                return candidate

    async def _send(self, frame: bytes) -> None:
        try:
            await self._websocket.send(frame)
        except websockets.ConnectionClosed as error:
            raise ConnectionClosed(
                f"the connection is closed ({error})", code=getattr(error, "code", None), reason=str(error)
            ) from error

    def _fail(self, error: BaseException) -> None:
        if self._failure is None:
            self._failure = error

    def _resolve(self, response: signaling_pb2.Response) -> None:
        future = self._pending.get(response.id)
        if future is not None and not future.done():
            future.set_result(response)

    def _receive_response(self, response: signaling_pb2.Response) -> None:
        result = response.WhichOneof("result")
        if result in ("join", "resume_session"):
            batches = getattr(response, result).more_peer_batches
            if batches > 0:
                self._batching = (response, batches)
                return
        self._resolve(response)

    def _receive_peer_batch(self, batch: notifications_pb2.PeerBatchNotification) -> None:
        """The next peers of a join or resume: added to its response, which is answered after the last batch."""
        response, remaining = self._batching
        answer = getattr(response, response.WhichOneof("result"))
        answer.peers.extend(batch.peers)
        remaining -= 1
        if remaining > 0:
            self._batching = (response, remaining)
            return
        self._batching = None
        answer.more_peer_batches = 0  # every peer is here now
        self._resolve(response)

    async def _read(self) -> None:
        try:
            async for frame in self._websocket:
                try:
                    message = decode_server_message(frame, max_frame_size=self._max_frame_size)
                except ProtocolError as error:
                    self._fail(error)
                    await self._websocket.close(1002, error.code)
                    break
                if message.WhichOneof("message") == "response":
                    self._receive_response(message.response)
                    continue
                if self._batching is not None and message.notification.WhichOneof("body") == "peer_batch":
                    self._receive_peer_batch(message.notification.peer_batch)
                    continue
                if self._queued >= self._max_queued:
                    self._fail(
                        ConnectionClosed(
                            f"closed: more than {self._max_queued} notifications were not consumed "
                            "(read client.notifications(), or raise max_queued_notifications)",
                            code=1008,
                            reason="notifications not consumed",
                        )
                    )
                    await self._websocket.close(1008, "notifications not consumed")
                    break
                self._queued += 1
                self._queue.put_nowait(message.notification)
        except websockets.ConnectionClosed:
            pass
        finally:
            code = getattr(self._websocket, "close_code", None)
            reason = getattr(self._websocket, "close_reason", "") or ""
            closed = ConnectionClosed(
                f"the connection is closed (code {code}{', ' + reason if reason else ''})", code=code, reason=reason
            )
            self._closed = closed
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(self._failure or closed)
            self._queue.put_nowait(_END)
