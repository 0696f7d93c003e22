"""WebRTC transports of a room: one aiortc RTCPeerConnection each.

As with mediasoup-client, a peer has a transport that sends (this client
offers, the server answers) and one that receives (the server "offers" the
consumers, this client answers), and each new producer or consumer
renegotiates its transport's connection. The SDP of the server's side is
written by :mod:`remote_sdp`; the DTLS parameters of this side go to the
server (ConnectTransport) before aiortc can start its DTLS handshake.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Awaitable, Callable, Dict, List, Optional, Set, Tuple

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription, sdp
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcdatachannel import RTCDataChannel
from aiortc.rtcrtpparameters import RTCRtpCodecCapability
from aiortc.rtcrtptransceiver import RTCRtpTransceiver

from x_signaling.media import convert
from x_signaling.media.remote_sdp import ReceiveSection, TransportDescription
from x_signaling.v1 import requests_pb2, rtp_pb2, signaling_pb2, transport_pb2

#: Sends one request of the room's signaling: ``request(create_transport=…)``.
Request = Callable[..., Awaitable[object]]
#: SCTP streams each way (the server clamps to 1024).
SCTP_STREAMS = 1024


def ice_servers_to_aiortc(servers: List[transport_pb2.IceServer]) -> List[RTCIceServer]:
    """The join response's STUN and TURN servers (aioice speaks turn: and turns:, not TCP ICE)."""
    result = []
    for server in servers:
        urls = [u for u in server.urls if u.split(":", 1)[0] in ("stun", "turn", "turns")]
        if urls:
            result.append(RTCIceServer(urls=urls, username=server.username or None, credential=server.credential or None))
    return result


class Transport:
    """One transport of the room: its RTCPeerConnection and the server's end."""

    def __init__(
        self,
        request: Request,
        transport_id: int,
        direction: str,
        description: TransportDescription,
        ice_servers: List[RTCIceServer],
        sctp: bool,
    ) -> None:
        self.id = transport_id
        self.direction = direction
        self._request = request
        self._description = description
        self._sctp = sctp
        self._pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers))
        self._connected = False
        self._closed = False
        # Negotiations one at a time: each is an offer/answer of the whole connection.
        self._lock = asyncio.Lock()

    @classmethod
    async def create(
        cls,
        request: Request,
        transport_id: int,
        direction: str,
        ice_servers: List[RTCIceServer],
        sctp: bool,
    ) -> "Transport":
        """Creates the server's end (CreateTransport) and this end."""
        create = requests_pb2.CreateTransportRequest(
            id=transport_id,
            direction=transport_pb2.TRANSPORT_DIRECTION_SEND if direction == "send" else transport_pb2.TRANSPORT_DIRECTION_RECV,
        )
        if sctp:
            create.sctp_capabilities.num_streams.os = SCTP_STREAMS
            create.sctp_capabilities.num_streams.mis = SCTP_STREAMS
        created = await request(create_transport=create)
        description = TransportDescription(
            ice=convert.ice_parameters_to_aiortc(created.ice_parameters),
            candidates=convert.ice_candidates_to_aiortc(created.ice_candidates),
            # The server is the DTLS server: it answers "passive", and offers "actpass" for this side to take "active".
            dtls=convert.dtls_parameters_to_aiortc(created.dtls_parameters, "server" if direction == "send" else "auto"),
            max_message_size=created.sctp_parameters.max_message_size if created.HasField("sctp_parameters") else None,
        )
        if not description.candidates:
            raise ConnectionError("the server gave this transport no UDP candidate (aiortc cannot use ICE over TCP)")
        kind = SendTransport if direction == "send" else RecvTransport
        return kind(request, transport_id, direction, description, ice_servers, sctp and created.HasField("sctp_parameters"))

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def connection_state(self) -> str:
        """The RTCPeerConnection's state: 'new', 'connecting', 'connected', 'failed', 'closed'."""
        return self._pc.connectionState

    @property
    def max_message_size(self) -> Optional[int]:
        """The largest data message the server takes on this transport."""
        return self._description.max_message_size

    async def _connect(self, local_sdp: str) -> None:
        """Tells the server this side's DTLS fingerprints, once (ConnectTransport)."""
        if self._connected:
            return
        media = sdp.SessionDescription.parse(local_sdp).media[0]
        await self._request(
            connect_transport=requests_pb2.ConnectTransportRequest(
                transport_id=self.id, dtls_parameters=convert.dtls_parameters_to_proto(media.dtls)
            )
        )
        self._connected = True

    async def close(self) -> None:
        """Closes this end (the server closes its end with the peer, or when told)."""
        if self._closed:
            return
        self._closed = True
        await self._pc.close()


class SendTransport(Transport):
    """The transport this client's producers send on (this side offers)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_stream_id = 0
        self._has_data_section = False
        self._room_extensions: Dict[str, Set[str]] = {}

    async def send_track(
        self, track: MediaStreamTrack, codecs: List[RTCRtpCodecCapability], room_extensions: Dict[str, Set[str]]
    ) -> Tuple[RTCRtpTransceiver, rtp_pb2.RtpParameters]:
        """Adds a sending m-section for ``track`` with the room's ``codecs``; returns its RTP parameters."""
        async with self._lock:
            self._room_extensions = room_extensions
            transceiver = self._pc.addTransceiver(_Forward(track), direction="sendonly")
            transceiver.setCodecPreferences(codecs)
            answer = await self._negotiate()
            media = next(m for m in sdp.SessionDescription.parse(answer).media if m.rtp.muxId == transceiver.mid)
            local = next(m for m in sdp.SessionDescription.parse(self._pc.localDescription.sdp).media if m.rtp.muxId == transceiver.mid)
            return transceiver, _send_parameters(local, media)

    async def stop_track(self, transceiver: RTCRtpTransceiver) -> None:
        """Stops sending a track: its m-section goes inactive (m-lines are never removed)."""
        async with self._lock:
            if self._closed:
                return
            transceiver.sender.replaceTrack(None)  # it stops reading the app's track now
            transceiver.direction = "inactive"
            await self._negotiate()

    async def open_channel(
        self, label: str, protocol: str, ordered: bool, max_retransmits: Optional[int], max_packet_life_time: Optional[int]
    ) -> Tuple[RTCDataChannel, int]:
        """A data channel on a stream of this client's choosing (negotiated: the server is told the stream)."""
        async with self._lock:
            if not self._sctp:
                raise RuntimeError("this transport has no SCTP association")
            stream_id = self._next_stream_id
            self._next_stream_id += 1
            channel = self._pc.createDataChannel(
                label,
                ordered=ordered,
                maxRetransmits=max_retransmits,
                maxPacketLifeTime=max_packet_life_time,
                protocol=protocol,
                negotiated=True,
                id=stream_id,
            )
            if not self._has_data_section:
                await self._negotiate()
                self._has_data_section = True
            return channel, stream_id

    async def _negotiate(self) -> str:
        offer = await self._pc.createOffer()
        await self._pc.setLocalDescription(offer)
        local = self._pc.localDescription.sdp
        await self._connect(local)
        answer = self._description.answer(local, self._room_extensions)
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        return answer


class _Forward(MediaStreamTrack):
    """The app's track as one sender sees it.

    aiortc stops a sender's track when the sender ends (its transport
    closed, by this side or the server's); the track is the app's, and a
    room joined again sends it on a new transport: each sender gets one of
    these, which aiortc may stop, and the app's track stays live.
    """

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.kind = source.kind
        self._source = source

    async def recv(self):
        return await self._source.recv()


def _send_parameters(local: sdp.MediaDescription, answered: sdp.MediaDescription) -> rtp_pb2.RtpParameters:
    """A producer's RTP parameters: what the answer accepted, with this side's SSRCs and CNAME."""
    parameters = rtp_pb2.RtpParameters(mid=local.rtp.muxId)
    for codec in answered.rtp.codecs:
        parameters.codecs.add().CopyFrom(convert.codec_to_proto(codec))
    for extension in answered.rtp.headerExtensions:
        parameters.header_extensions.add(uri=extension.uri, id=extension.id)
    ssrcs = [s.ssrc for s in local.ssrc]
    fid = next((g.items for g in local.ssrc_group if g.semantic == "FID"), None)
    main = int(fid[0]) if fid else ssrcs[0]
    encoding = parameters.encodings.add(ssrc=main)
    if fid and any(convert._is_rtx(c.mimeType) for c in answered.rtp.codecs):
        encoding.rtx.ssrc = int(fid[1])
    cname = next((s.cname for s in local.ssrc if s.cname), None)
    if cname:
        parameters.rtcp.cname = cname
    parameters.rtcp.reduced_size = True
    parameters.rtcp.mux = True
    return parameters


class RecvTransport(Transport):
    """The transport this client's consumers and data consumers arrive on (the server offers)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sections: Dict[str, ReceiveSection] = {}

    async def receive_track(self, kind: str, rtp: rtp_pb2.RtpParameters, stream_id: str) -> MediaStreamTrack:
        """Adds a consumer's m-section; returns the track its frames come on."""
        encoding = rtp.encodings[0]
        section = ReceiveSection(
            mid=rtp.mid,
            kind=kind,
            codecs=[convert.codec_to_aiortc(c) for c in rtp.codecs],
            header_extensions=convert.header_extensions_to_aiortc(rtp.header_extensions),
            ssrc=encoding.ssrc,
            rtx_ssrc=encoding.rtx.ssrc if encoding.HasField("rtx") and encoding.rtx.ssrc else None,
            cname=rtp.rtcp.cname or secrets.token_hex(8),
            stream_id=stream_id,
            track_id=f"{stream_id}-{rtp.mid}",
        )
        async with self._lock:
            if section.mid in self._sections:
                raise RuntimeError(f"mid {section.mid} is already received on transport {self.id}")
            self._sections[section.mid] = section
            await self._negotiate()
            transceiver = next(t for t in self._pc.getTransceivers() if t.mid == section.mid)
            return transceiver.receiver.track

    async def stop_receiving(self, mid: str) -> None:
        """A consumer closed: its m-section goes inactive."""
        async with self._lock:
            section = self._sections.get(mid)
            if self._closed or section is None or not section.active:
                return
            section.active = False
            await self._negotiate()

    async def open_channel(self, label: str, protocol: str, stream: transport_pb2.SctpStreamParameters) -> RTCDataChannel:
        """The data channel of a data consumer, on the stream the server chose."""
        async with self._lock:
            if not self._sctp:
                raise RuntimeError("this transport has no SCTP association")
            if not self._connected:
                await self._negotiate()  # the first offer brings the SCTP section
            return self._pc.createDataChannel(
                label,
                ordered=stream.ordered,
                maxRetransmits=stream.max_retransmits if stream.HasField("max_retransmits") else None,
                maxPacketLifeTime=stream.max_packet_life_time if stream.HasField("max_packet_life_time") else None,
                protocol=protocol,
                negotiated=True,
                id=stream.stream_id,
            )

    async def _negotiate(self) -> None:
        offer = self._description.offer(list(self._sections.values()), with_data=self._sctp)
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
        answer = await self._pc.createAnswer()
        # The server learns this side's fingerprint before aiortc starts DTLS (at setLocalDescription).
        await self._connect(answer.sdp)
        await self._pc.setLocalDescription(answer)
