"""The server's side of each transport's SDP, written for aiortc.

mediasoup has no SDP: like mediasoup-client, this client writes the
description the "remote peer" would have sent, from the transport's ICE,
DTLS and SCTP parameters (the server is ICE-lite and takes the DTLS server
role) and from each consumer's RTP parameters. aiortc's own SDP classes
write it, so what is written is what aiortc reads.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import List, Optional

from aiortc import sdp
from aiortc.rtcdtlstransport import RTCDtlsParameters
from aiortc.rtcicetransport import RTCIceCandidate, RTCIceParameters
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters
from aiortc.rtcsctptransport import RTCSctpCapabilities

#: The mid of the SCTP m-section (mediasoup-client's too).
DATA_MID = "datachannel"
#: The SCTP port both ends use in SDP (the server's association listens on it).
SCTP_PORT = 5000


@dataclass
class ReceiveSection:
    """One consumer's m-section in the offer of a receive transport."""

    mid: str
    kind: str
    codecs: List[RTCRtpCodecParameters]
    header_extensions: List[RTCRtpHeaderExtensionParameters]
    ssrc: int
    rtx_ssrc: Optional[int]
    cname: str
    stream_id: str
    track_id: str
    #: False once the consumer closed: the section stays (m-lines are never removed), inactive.
    active: bool = True


@dataclass
class TransportDescription:
    """What a transport's remote SDP says about the server's end."""

    ice: RTCIceParameters
    candidates: List[RTCIceCandidate]
    dtls: RTCDtlsParameters
    max_message_size: Optional[int] = None
    _session_id: int = field(default_factory=lambda: secrets.randbelow(2**52))
    _version: int = 0

    def _session(self) -> sdp.SessionDescription:
        self._version += 1
        session = sdp.SessionDescription()
        session.origin = f"- {self._session_id} {self._version} IN IP4 0.0.0.0"
        session.msid_semantic.append(sdp.GroupDescription(semantic="WMS", items=["*"]))
        return session

    def _transport_lines(self, media: sdp.MediaDescription) -> None:
        media.host = "127.0.0.1"
        media.ice = self.ice
        media.ice_candidates = list(self.candidates)
        media.ice_candidates_complete = True
        media.dtls = self.dtls

    def _rtp_media(self, kind: str, mid: str, direction: str, codecs: List[RTCRtpCodecParameters]) -> sdp.MediaDescription:
        media = sdp.MediaDescription(kind=kind, port=7, profile="UDP/TLS/RTP/SAVPF", fmt=[c.payloadType for c in codecs])
        self._transport_lines(media)
        media.direction = direction
        media.rtp.muxId = mid
        media.rtp.codecs = list(codecs)
        media.rtcp_host = "0.0.0.0"
        media.rtcp_port = 9
        media.rtcp_mux = True
        return media

    def _data_media(self, mid: str) -> sdp.MediaDescription:
        media = sdp.MediaDescription(kind="application", port=7, profile="UDP/DTLS/SCTP", fmt=["webrtc-datachannel"])
        self._transport_lines(media)
        media.rtp.muxId = mid
        media.sctp_port = SCTP_PORT
        media.sctpCapabilities = RTCSctpCapabilities(maxMessageSize=self.max_message_size or 262144)
        return media

    def _bundle(self, session: sdp.SessionDescription) -> str:
        session.group.append(sdp.GroupDescription(semantic="BUNDLE", items=[m.rtp.muxId for m in session.media]))
        return str(session)

    def answer(self, local_offer: str, allowed_extensions: dict) -> str:
        """The server's answer to this client's offer on a send transport.

        Each m-section is accepted as offered (the offer holds only the
        room's codecs: the transceivers' preferences), with the header
        extensions the room knows (``allowed_extensions``: kind → URIs).
        """
        offer = sdp.SessionDescription.parse(local_offer)
        session = self._session()
        for offered in offer.media:
            if offered.kind == "application":
                session.media.append(self._data_media(offered.rtp.muxId))
                continue
            direction = "recvonly" if offered.direction in ("sendonly", "sendrecv") else "inactive"
            media = self._rtp_media(offered.kind, offered.rtp.muxId, direction, offered.rtp.codecs)
            media.rtp.headerExtensions = [
                e for e in offered.rtp.headerExtensions if e.uri in allowed_extensions.get(offered.kind, ())
            ]
            session.media.append(media)
        return self._bundle(session)

    def offer(self, sections: List[ReceiveSection], with_data: bool) -> str:
        """The server's offer on a receive transport: its SCTP section, then one per consumer."""
        session = self._session()
        if with_data:
            session.media.append(self._data_media(DATA_MID))
        for section in sections:
            media = self._rtp_media(section.kind, section.mid, "sendonly" if section.active else "inactive", section.codecs)
            media.rtp.headerExtensions = list(section.header_extensions)
            media.msid = f"{section.stream_id} {section.track_id}"
            media.ssrc = [sdp.SsrcDescription(ssrc=section.ssrc, cname=section.cname)]
            if section.rtx_ssrc is not None:
                media.ssrc.append(sdp.SsrcDescription(ssrc=section.rtx_ssrc, cname=section.cname))
                media.ssrc_group = [sdp.GroupDescription(semantic="FID", items=[section.ssrc, section.rtx_ssrc])]
            session.media.append(media)
        return self._bundle(session)
