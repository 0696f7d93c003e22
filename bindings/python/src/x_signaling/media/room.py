"""A room joined with real media: publish tracks, receive decoded frames, data channels.

:class:`Room` keeps one signaling :class:`~x_signaling.Client` (replaced when
the connection drops and the session resumes or the room is joined again),
a send and a receive :class:`Transport`, and the peers, producers and
consumers as the server has them.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Union

from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from pyee.asyncio import AsyncIOEventEmitter

from x_signaling._version import PROTOCOL_VERSION
from x_signaling.client import Client
from x_signaling.errors import ConnectionClosed, ServerError
from x_signaling.json_value import json_from_message, json_to_message
from x_signaling.media import convert
from x_signaling.media.consumer import Consumer
from x_signaling.media.data import DataChannelSpec, DataConsumer, DataMessage, DataProducer
from x_signaling.media.feed import Feed
from x_signaling.media.producer import Producer
from x_signaling.media.transport import RecvTransport, SendTransport, Transport, ice_servers_to_aiortc
from x_signaling.v1 import notifications_pb2, requests_pb2, signaling_pb2, transport_pb2

log = logging.getLogger("x_signaling.media")

#: Data messages kept for a reader of :meth:`Room.data_messages` that falls behind.
MAX_QUEUED_DATA_MESSAGES = 10_000
#: Reconnection backoff: first delay, largest delay (seconds); each try waits a random part of it.
RECONNECT_FIRST_DELAY = 0.25
RECONNECT_MAX_DELAY = 5.0


@dataclass
class Peer:
    """Another peer in the room."""

    name: str
    app_data: Any
    consumers: Dict[int, Consumer] = field(default_factory=dict)
    data_consumers: Dict[int, DataConsumer] = field(default_factory=dict)


class Room(AsyncIOEventEmitter):
    """A room of an x SFU server joined with WebRTC media, on aiortc.

    ::

        room = await Room.join("ws://localhost:3000/ws?room=demo", "py-bot", token=token)
        await room.publish(ToneTrack(frequency=660))
        async for consumer in room.consumers():
            if consumer.kind == "audio":
                async for frame in consumer.frames():  # av.AudioFrame
                    ...

    Events: ``newpeer`` (Peer), ``peerclosed`` (Peer), ``newconsumer``
    (Consumer), ``newdataconsumer`` (DataConsumer), ``datamessage``
    (DataMessage: peers' channels and the server app's messages),
    ``activespeaker`` (peer name or None, after :meth:`enable_active_speaker`),
    ``roomappdatachange`` (the room's new metadata), ``peerappdatachange``
    (peer name, its new metadata),
    ``reconnecting``, ``reconnected`` ('resume' or 'rejoin'), ``close``
    (the reason, a str).
    """

    def __init__(
        self,
        url: str,
        peer_name: str,
        *,
        token: str = "",
        app_data: Any = None,
        receive: bool = True,
        receive_data: bool = True,
        reconnect: bool = True,
        reconnect_timeout: float = 60.0,
    ) -> None:
        super().__init__()
        self.url = url
        #: This client's peer name.
        self.peer_name = peer_name
        self._token = token
        self._app_data = app_data
        self._auto_receive = receive
        self._auto_receive_data = receive_data
        self._reconnect = reconnect
        self._reconnect_timeout = reconnect_timeout
        self._client: Optional[Client] = None
        self._capabilities = None  # what this client receives (RtpCapabilities)
        self._room_capabilities = None
        self._session_id = ""
        self._ice_servers: List = []
        self._ping_interval = 0.0
        self._ping_timeout = 0.0
        self._heard_at = time.monotonic()
        self._ping_seq = 0
        #: The other peers, by name.
        self.peers: Dict[str, Peer] = {}
        self.app_data: Any = None
        self._consumers: Dict[int, Consumer] = {}
        self._producers: Dict[int, Producer] = {}
        self._data_producers: Dict[int, DataProducer] = {}
        self._send: Optional[SendTransport] = None
        self._recv: Optional[RecvTransport] = None
        self._data_send: Optional[SendTransport] = None
        self._data_recv: Optional[RecvTransport] = None
        self._transport_lock = asyncio.Lock()
        self._ids: Set[int] = set()
        self._tasks: Set[asyncio.Task] = set()
        self._consumer_feeds: List[Feed[Consumer]] = []
        self._message_feeds: List[Feed[DataMessage]] = []
        self._closed = False
        self._close_reason = ""
        self._runner: Optional[asyncio.Task] = None
        self._pinger: Optional[asyncio.Task] = None

    # Joining -------------------------------------------------------------

    @classmethod
    async def join(
        cls,
        url: str,
        peer_name: str,
        *,
        token: str = "",
        app_data: Any = None,
        receive: bool = True,
        receive_data: bool = True,
        reconnect: bool = True,
        reconnect_timeout: float = 60.0,
    ) -> "Room":
        """Connects to ``url`` (e.g. ``ws://host:3000/ws?room=demo``) and joins as ``peer_name``.

        ``token`` is the access token the app's backend made for this peer
        and room. With ``receive`` (default), every consumer this client can
        decode is received as it arrives; with ``receive_data``, every data
        consumer. With ``reconnect``, a dropped connection is reconnected:
        the session resumes (media goes on meanwhile) or, past the server's
        grace period, the room is joined again and the tracks published again.
        """
        room = cls(
            url,
            peer_name,
            token=token,
            app_data=app_data,
            receive=receive,
            receive_data=receive_data,
            reconnect=reconnect,
            reconnect_timeout=reconnect_timeout,
        )
        client = await Client.connect(url)
        try:
            await room._join(client)
        except BaseException:
            await client.close()
            raise
        room._runner = asyncio.ensure_future(room._run())
        return room

    async def _join(self, client: Client) -> None:
        if self._room_capabilities is None:
            queried = await client.query_room(self._token)
            self._room_capabilities = queried.rtp_capabilities
            self._capabilities = convert.receive_capabilities(queried.rtp_capabilities)
        joined = await client.join(
            self.peer_name, rtp_capabilities=self._capabilities, token=self._token, app_data=self._app_data
        )
        self._client = client
        self._session_id = joined.session_id
        #: The room's metadata (its app data, set by the app's backend): at join, then each ``roomappdatachange``.
        self.app_data = json_from_message(joined.room_app_data) if joined.HasField("room_app_data") else None
        self._ice_servers = ice_servers_to_aiortc(list(joined.ice_servers))
        self._ping_interval = joined.ping_interval_ms / 1000
        self._ping_timeout = joined.ping_timeout_ms / 1000
        self._heard()
        for info in joined.peers:
            self._add_peer(info)
        if self._pinger is None and self._ping_interval > 0:
            self._pinger = asyncio.ensure_future(self._ping_loop())

    # State ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def session_id(self) -> str:
        return self._session_id

    @property
    def producers(self) -> List[Producer]:
        """This client's open producers."""
        return list(self._producers.values())

    @property
    def data_producers(self) -> List[DataProducer]:
        return list(self._data_producers.values())

    def consumers(self) -> Feed[Consumer]:
        """Every consumer, those already here first, then each new one as it arrives (an async iterator)."""
        feed: Feed[Consumer] = Feed(10_000)
        for consumer in self._consumers.values():
            if not consumer.closed:
                feed.push(consumer)
        if self._closed:
            feed.end()
        else:
            self._consumer_feeds.append(feed)
        return feed

    def data_messages(self) -> Feed[DataMessage]:
        """Every data message from now on (peers' channels and the server app's), an async iterator."""
        feed: Feed[DataMessage] = Feed(MAX_QUEUED_DATA_MESSAGES)
        if self._closed:
            feed.end()
        else:
            self._message_feeds.append(feed)
        return feed

    # Publishing ------------------------------------------------------------

    async def publish(self, track: MediaStreamTrack, *, app_data: Any = None, paused: bool = False) -> Producer:
        """Sends ``track`` (any aiortc MediaStreamTrack: a tone, MediaPlayer's, frames the app makes).

        The room's first codec of the track's kind that aiortc has is used
        (opus; VP8 before H264).
        """
        producer = Producer(self, self._new_id(), track, app_data, paused)
        await self._publish(producer)
        return producer

    async def _publish(self, producer: Producer) -> None:
        self._check_open()
        codecs = self._send_codecs(producer.kind)
        transport = await self._send_transport()
        extensions = {
            kind: {e.uri for e in self._room_capabilities.header_extensions if e.kind == convert.KINDS[kind]}
            for kind in ("audio", "video")
        }
        transceiver, rtp = await transport.send_track(producer.track, codecs, extensions)
        producer._transceiver = transceiver
        request = requests_pb2.CreateProducerRequest(
            id=producer.id, kind=convert.KINDS[producer.kind], transport_id=transport.id, rtp_parameters=rtp, paused=producer.paused
        )
        if producer.app_data is not None:
            request.app_data.CopyFrom(json_to_message(producer.app_data))
        await self._request(create_producer=request)
        self._producers[producer.id] = producer

    def _send_codecs(self, kind: str) -> List[RTCRtpCodecCapability]:
        """The room's first codec of ``kind`` that aiortc encodes, with its RTX."""
        from aiortc.codecs import CODECS

        for codec in self._room_capabilities.codecs:
            if codec.kind != convert.KINDS[kind] or codec.mime_type.lower().endswith("/rtx"):
                continue
            local = convert.local_codec_for(codec)
            if local is None:
                continue
            chosen = [RTCRtpCodecCapability(mimeType=local.mimeType, clockRate=local.clockRate, channels=local.channels, parameters=local.parameters)]
            rtx = next((c for c in CODECS[kind] if c.mimeType.lower().endswith("/rtx") and c.parameters.get("apt") == local.payloadType), None)
            if rtx is not None:
                chosen.append(RTCRtpCodecCapability(mimeType=rtx.mimeType, clockRate=rtx.clockRate, parameters={}))
            return chosen
        raise RuntimeError(f"the room has no {kind} codec this client can encode")

    async def _producer_closed(self, producer: Producer) -> None:
        self._producers.pop(producer.id, None)
        producer._ended()
        if self._send is not None and producer._transceiver is not None:
            try:
                await self._send.stop_track(producer._transceiver)
            except Exception as error:  # the transport may be closing with the room
                log.debug("stopping producer %s: %s", producer.id, error)

    async def produce_data(
        self,
        label: str = "",
        *,
        protocol: str = "",
        ordered: bool = True,
        max_retransmits: Optional[int] = None,
        max_packet_life_time: Optional[int] = None,
        app_data: Any = None,
    ) -> DataProducer:
        """A data channel to every other peer (and the server app): ordered and reliable unless told otherwise."""
        self._check_open()
        if max_retransmits is not None and max_packet_life_time is not None:
            raise ValueError("give max_retransmits or max_packet_life_time, not both")
        spec = DataChannelSpec(label, protocol, ordered, max_retransmits, max_packet_life_time)
        producer = DataProducer(self, self._new_id(), spec, app_data)
        await self._open_data_producer(producer)
        return producer

    async def _open_data_producer(self, producer: DataProducer) -> None:
        """Opens the producer's channel on the data send transport and tells the server (again after a rejoin)."""
        spec = producer.spec
        transport = await self._data_send_transport()
        channel, stream_id = await transport.open_channel(
            spec.label, spec.protocol, spec.ordered, spec.max_retransmits, spec.max_packet_life_time
        )
        stream = transport_pb2.SctpStreamParameters(stream_id=stream_id, ordered=spec.ordered)
        if spec.max_retransmits is not None:
            stream.max_retransmits = spec.max_retransmits
        if spec.max_packet_life_time is not None:
            stream.max_packet_life_time = spec.max_packet_life_time
        request = requests_pb2.CreateDataProducerRequest(
            id=producer.id, transport_id=transport.id, sctp_stream_parameters=stream, label=spec.label, protocol=spec.protocol
        )
        if producer.app_data is not None:
            request.app_data.CopyFrom(json_to_message(producer.app_data))
        try:
            await self._request(create_data_producer=request)
        except BaseException:
            channel.close()
            raise
        producer._bind(channel, transport.max_message_size)
        self._data_producers[producer.id] = producer

    def enable_active_speaker(self) -> None:
        """Asks for the room's active speaker: ``activespeaker`` events (peer name, or None in silence)."""
        self._active_speaker = True
        self._spawn(self._notify(enable_active_speaker=notifications_pb2.EnableActiveSpeakerNotification()))

    # Transports --------------------------------------------------------------

    # Media and data ride transports of their own (as in @x/client): aiortc
    # receives no RTP on a connection whose first (bundling) m-section is SCTP.

    async def _send_transport(self) -> SendTransport:
        return await self._transport("_send", "send", sctp=False)

    async def _recv_transport(self) -> RecvTransport:
        return await self._transport("_recv", "recv", sctp=False)

    async def _data_send_transport(self) -> SendTransport:
        return await self._transport("_data_send", "send", sctp=True)

    async def _data_recv_transport(self) -> RecvTransport:
        return await self._transport("_data_recv", "recv", sctp=True)

    async def _transport(self, slot: str, direction: str, sctp: bool):
        """The transport kept in ``slot``, created on first use (again after it closed)."""
        async with self._transport_lock:
            transport = getattr(self, slot)
            if transport is None or transport.closed:
                transport = await Transport.create(self._request, self._new_id(), direction, self._ice_servers, sctp=sctp)
                setattr(self, slot, transport)
            return transport

    def _transports(self) -> List[Transport]:
        return [t for t in (self._send, self._recv, self._data_send, self._data_recv) if t is not None]

    async def _receive(self, consumer: Consumer) -> MediaStreamTrack:
        transport = await self._recv_transport()
        enabled = await self._request(
            enable_consumer=requests_pb2.EnableConsumerRequest(id=consumer.id, transport_id=transport.id, paused=False)
        )
        rtp = enabled.rtp_parameters
        track = await transport.receive_track(consumer.kind, rtp, stream_id=f"{consumer.peer_name}-{consumer.id}")
        consumer._attach(track, transport.id, rtp.mid)
        consumer._set_paused(enabled.paused)
        await self._request(start_consumer=requests_pb2.StartConsumerRequest(id=consumer.id))
        if consumer.closed:
            await transport.stop_receiving(rtp.mid)
        return track

    async def _receive_data(self, consumer: DataConsumer) -> None:
        transport = await self._data_recv_transport()
        enabled = await self._request(
            enable_data_consumer=requests_pb2.EnableDataConsumerRequest(id=consumer.id, transport_id=transport.id)
        )
        channel = await transport.open_channel(consumer.label, consumer.protocol, enabled.sctp_stream_parameters)
        consumer._attach(channel, self._deliver)

    # Peers and consumers ---------------------------------------------------

    def _add_peer(self, info) -> Peer:
        peer = self.peers.get(info.name)
        if peer is None:
            peer = Peer(name=info.name, app_data=json_from_message(info.app_data) if info.HasField("app_data") else None)
            self.peers[info.name] = peer
            self.emit("newpeer", peer)
        for consumer in info.consumers:
            self._add_consumer(consumer)
        for data_consumer in info.data_consumers:
            self._add_data_consumer(data_consumer)
        return peer

    def _add_consumer(self, info) -> None:
        if info.id in self._consumers:
            return
        peer = self.peers.get(info.peer_name)
        if peer is None:
            return
        consumer = Consumer(
            self,
            info.id,
            convert.KIND_NAMES.get(info.kind, "audio"),
            info.peer_name,
            json_from_message(info.app_data) if info.HasField("app_data") else None,
            info.paused,
            info.supported and self._decodable(info),
        )
        self._consumers[info.id] = consumer
        peer.consumers[info.id] = consumer
        self.emit("newconsumer", consumer)
        for feed in self._consumer_feeds:
            feed.push(consumer)
        if self._auto_receive and consumer.supported:
            self._spawn(self._receive_quietly(consumer))

    def _decodable(self, info) -> bool:
        kind = info.kind
        return any(c.kind == kind and not c.mime_type.lower().endswith("/rtx") for c in self._capabilities.codecs)

    async def _receive_quietly(self, consumer: Consumer) -> None:
        try:
            await consumer.receive()
        except (ServerError, ConnectionClosed, RuntimeError, asyncio.TimeoutError) as error:
            log.warning("consumer %s of %s not received: %s", consumer.id, consumer.peer_name, error)

    def _add_data_consumer(self, info) -> None:
        peer = self.peers.get(info.peer_name)
        if peer is None or info.id in peer.data_consumers:
            return
        consumer = DataConsumer(
            info.id,
            info.peer_name,
            info.label,
            info.protocol,
            json_from_message(info.app_data) if info.HasField("app_data") else None,
        )
        peer.data_consumers[info.id] = consumer
        self.emit("newdataconsumer", consumer)
        if self._auto_receive_data:
            self._spawn(self._receive_data_quietly(consumer))

    async def _receive_data_quietly(self, consumer: DataConsumer) -> None:
        try:
            await self._receive_data(consumer)
        except (ServerError, ConnectionClosed, RuntimeError, asyncio.TimeoutError) as error:
            log.warning("data consumer %s of %s not received: %s", consumer.id, consumer.peer_name, error)

    def _close_consumer(self, consumer_id: int) -> None:
        consumer = self._consumers.pop(consumer_id, None)
        if consumer is None:
            return
        peer = self.peers.get(consumer.peer_name)
        if peer is not None:
            peer.consumers.pop(consumer_id, None)
        consumer._ended()
        if consumer._mid is not None and self._recv is not None and consumer._transport_id == self._recv.id:
            self._spawn(self._recv.stop_receiving(consumer._mid))

    def _close_peer(self, name: str) -> None:
        peer = self.peers.pop(name, None)
        if peer is None:
            return
        for consumer_id in list(peer.consumers):
            self._close_consumer(consumer_id)
        for data_consumer in peer.data_consumers.values():
            data_consumer._ended()
        self.emit("peerclosed", peer)

    def _deliver(self, message: DataMessage) -> None:
        self.emit("datamessage", message)
        for feed in self._message_feeds:
            feed.push(message)

    # Notifications -----------------------------------------------------------

    def _handle(self, notification: signaling_pb2.ServerNotification) -> None:
        kind = notification.WhichOneof("body")
        body = getattr(notification, kind) if kind else None
        if kind == "new_peer":
            self._add_peer(body.peer)
        elif kind == "peer_closed":
            self._close_peer(body.name)
        elif kind == "new_consumer":
            self._add_consumer(body.consumer)
        elif kind == "consumer_closed":
            self._close_consumer(body.id)
        elif kind in ("consumer_paused", "consumer_resumed"):
            consumer = self._consumers.get(body.id)
            if consumer is not None:
                consumer._set_paused(kind == "consumer_paused")
        elif kind == "new_data_consumer":
            self._add_data_consumer(body.data_consumer)
        elif kind == "data_consumer_closed":
            peer = self.peers.get(body.peer_name)
            data_consumer = peer.data_consumers.pop(body.id, None) if peer else None
            if data_consumer is not None:
                data_consumer._ended()
        elif kind == "data_producer_closed":
            producer = self._data_producers.get(body.id)
            if producer is not None:
                error = ServerError.from_message(body.error) if body.HasField("error") else None
                producer._ended(error)
        elif kind == "producer_closed":
            producer = self._producers.pop(body.id, None)
            if producer is not None:
                producer._ended()
        elif kind == "data_message":
            data: Union[str, bytes] = body.text if body.WhichOneof("payload") == "text" else bytes(body.binary)
            self._deliver(DataMessage(peer_name=None, label=body.label, data=data))
        elif kind == "room_app_data_changed":
            self.app_data = json_from_message(body.app_data) if body.HasField("app_data") else None
            self.emit("roomappdatachange", self.app_data)
        elif kind == "peer_app_data_changed":
            app_data = json_from_message(body.app_data) if body.HasField("app_data") else None
            peer = self.peers.get(body.peer_name)
            if peer is not None:
                peer.app_data = app_data
            self.emit("peerappdatachange", body.peer_name, app_data)
        elif kind == "active_speaker":
            self.emit("activespeaker", body.peer_name or None)
        elif kind == "closed":
            self._close_reason = notifications_pb2.CloseReason.Name(body.reason)
            if body.redirect_url:
                # A draining node sends its peers to another: the room goes on there.
                self.url = body.redirect_url
            else:
                self._reconnect = False  # the server ended this peer: nothing to resume

    # Running -----------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            client = self._client
            try:
                async for notification in client.notifications():
                    self._heard()
                    self._handle(notification)
            except Exception as error:
                log.warning("signaling failed: %s", error)
            if self._closed:
                return
            if not self._reconnect:
                await self._finish(self._close_reason or "the connection closed")
                return
            self.emit("reconnecting")
            try:
                mode = await self._restore()
            except Exception as error:
                await self._finish(f"could not reconnect: {error}")
                return
            self.emit("reconnected", mode)

    async def _restore(self) -> str:
        """A new connection: the session resumed, or (once it expired) the room joined again."""
        deadline = time.monotonic() + self._reconnect_timeout
        delay = RECONNECT_FIRST_DELAY
        while True:
            if self._closed:
                raise ConnectionClosed("the room was left")
            try:
                client = await Client.connect(self.url)
            except (OSError, asyncio.TimeoutError, Exception) as error:  # websockets raises its own kinds too
                if time.monotonic() + delay > deadline:
                    raise ConnectionClosed(f"no connection within {self._reconnect_timeout} s: {error}") from error
                await asyncio.sleep(delay * (0.5 + random.random() / 2))
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
                continue
            try:
                resumed = await client.request(
                    resume_session=requests_pb2.ResumeSessionRequest(protocol_version=PROTOCOL_VERSION, session_id=self._session_id)
                )
            except ServerError as error:
                if error.code_name != "SESSION_EXPIRED":
                    await client.close()
                    raise
                await self._rejoin(client)
                return "rejoin"
            self._client = client
            self._heard()
            await self._apply_resume(resumed)
            return "resume"

    async def _apply_resume(self, resumed: requests_pb2.ResumeSessionResponse) -> None:
        alive = set(resumed.transport_ids)
        for transport in self._transports():
            if transport.id not in alive:
                # The server closed it meanwhile: what was on it goes again on a new one.
                await self._reset_transports()
                await self._republish()
                break
        names = {info.name for info in resumed.peers}
        for name in [n for n in self.peers if n not in names]:
            self._close_peer(name)
        for info in resumed.peers:
            known = {c.id for c in info.consumers}
            peer = self.peers.get(info.name)
            if peer is not None:
                for consumer_id in [c for c in peer.consumers if c not in known]:
                    self._close_consumer(consumer_id)
            self._add_peer(info)
        producers = {p.id for p in resumed.producers}
        for producer in [p for p in self._producers.values() if p.id not in producers]:
            self._producers.pop(producer.id, None)
            producer._ended()

    async def _rejoin(self, client: Client) -> None:
        """The session expired: join again, and publish again what was published."""
        await self._reset_transports()
        for name in list(self.peers):
            self._close_peer(name)
        await self._join(client)
        await self._republish()

    async def _reset_transports(self) -> None:
        for consumer_id in list(self._consumers):
            self._close_consumer(consumer_id)
        for transport in self._transports():
            await transport.close()
        self._send = self._recv = self._data_send = self._data_recv = None

    async def _republish(self) -> None:
        producers = list(self._producers.values())
        self._producers.clear()
        for producer in producers:
            await self._publish(producer)
        data_producers = list(self._data_producers.values())
        self._data_producers.clear()
        for producer in data_producers:
            # Under the same id, as @x/client does: the app keeps its DataProducer, now on a new channel.
            await self._open_data_producer(producer)

    async def _ping_loop(self) -> None:
        while not self._closed:
            await asyncio.sleep(self._ping_interval)
            client = self._client
            if client is None or client.closed:
                continue
            if time.monotonic() - self._heard_at > self._ping_timeout + self._ping_interval:
                log.warning("no answer from the server for %.1f s: reconnecting", time.monotonic() - self._heard_at)
                # The path is dead: do not wait for a close handshake that cannot complete.
                client._websocket.transport.abort()
                continue
            self._ping_seq = (self._ping_seq + 1) % 2**32
            try:
                await client.notify(ping=notifications_pb2.PingNotification(seq=self._ping_seq))
            except ConnectionClosed:
                pass

    def _heard(self) -> None:
        self._heard_at = time.monotonic()

    # Leaving -----------------------------------------------------------------

    async def leave(self, app_data: Any = None) -> None:
        """Leaves the room: the other peers see this peer close; transports and the connection close."""
        if self._closed:
            return
        self._closed = True
        client = self._client
        if client is not None and not client.closed:
            try:
                leave = notifications_pb2.LeaveNotification()
                if app_data is not None:
                    leave.app_data.CopyFrom(json_to_message(app_data))
                await client.notify(leave=leave)
            except ConnectionClosed:
                pass
        await self._finish("left")

    async def _finish(self, reason: str) -> None:
        self._closed = True
        if self._pinger is not None:
            self._pinger.cancel()
        for task in list(self._tasks):
            task.cancel()
        for producer in list(self._producers.values()):
            producer._ended()
        for producer in list(self._data_producers.values()):
            producer._ended(None)
        for name in list(self.peers):
            self._close_peer(name)
        for transport in self._transports():
            await transport.close()
        if self._client is not None:
            await self._client.close()
        for feed in [*self._consumer_feeds, *self._message_feeds]:
            feed.end()
        if self._runner is not None and self._runner is not asyncio.current_task():
            self._runner.cancel()
        self.emit("close", reason)

    async def __aenter__(self) -> "Room":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.leave()

    # Internals ---------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the room is closed")

    async def _request(self, **body) -> Any:
        client = self._client
        if client is None:
            raise ConnectionClosed("not connected")
        response = await client.request(**body)
        self._heard()
        return response

    async def _notify(self, **body) -> None:
        client = self._client
        if client is not None and not client.closed:
            await client.notify(**body)

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _new_id(self) -> int:
        while True:
            candidate = secrets.randbits(32)
            if candidate and candidate not in self._ids:
                self._ids.add(candidate)
                return candidate


async def join_room(url: str, peer_name: str, **options: Any) -> Room:
    """Joins a room with media: :meth:`Room.join`."""
    return await Room.join(url, peer_name, **options)
