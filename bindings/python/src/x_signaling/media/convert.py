"""Conversions between the schema's messages and aiortc's objects.

The server speaks mediasoup's terms (RTP parameters, ICE and DTLS
parameters) in the schema's messages; aiortc speaks SDP through its own
dataclasses. Everything that crosses between the two goes through here.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Union

from aiortc.codecs import CODECS, HEADER_EXTENSIONS
from aiortc.rtcdtlstransport import RTCDtlsFingerprint, RTCDtlsParameters
from aiortc.rtcicetransport import RTCIceCandidate, RTCIceParameters
from aiortc.rtcrtpparameters import (
    RTCRtcpFeedback,
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
)

from x_signaling.v1 import rtp_pb2, transport_pb2

#: Media kinds as the schema names them.
KINDS = {"audio": rtp_pb2.MEDIA_KIND_AUDIO, "video": rtp_pb2.MEDIA_KIND_VIDEO}
KIND_NAMES = {value: name for name, value in KINDS.items()}

#: The RTCP feedback this client asks for when it receives. Not goog-remb:
#: mediasoup 3.12 runs its sending estimator in transport-cc mode only (every
#: REMB it gets is logged as an error and ignored), and aiortc has no
#: transport-cc; without either the server sends what the producer sends.
_RECEIVE_FEEDBACK = {("nack", None), ("nack", "pli")}
#: Header extensions this client reads when it receives (abs-send-time only feeds REMB).
_RECEIVE_EXTENSIONS = {"urn:ietf:params:rtp-hdrext:sdes:mid", "urn:ietf:params:rtp-hdrext:ssrc-audio-level"}

ParameterValue = Union[str, int, float]


def _is_rtx(mime_type: str) -> bool:
    return mime_type.lower().endswith("/rtx")


def parameters_from_proto(parameters: Iterable[rtp_pb2.Parameter]) -> Dict[str, ParameterValue]:
    """fmtp parameters as aiortc keeps them (whole numbers as int)."""
    result: Dict[str, ParameterValue] = {}
    for parameter in parameters:
        which = parameter.WhichOneof("value")
        if which == "number_value":
            number = parameter.number_value
            result[parameter.name] = int(number) if number.is_integer() else number
        elif which == "string_value":
            result[parameter.name] = parameter.string_value
    return result


def parameters_to_proto(parameters: Dict[str, ParameterValue]) -> List[rtp_pb2.Parameter]:
    """fmtp parameters as the schema carries them (numbers as numbers, as mediasoup has them)."""
    result = []
    for name, value in parameters.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            result.append(rtp_pb2.Parameter(name=name, number_value=float(value)))
        elif isinstance(value, str) and value.isdigit():
            result.append(rtp_pb2.Parameter(name=name, number_value=float(value)))
        else:
            result.append(rtp_pb2.Parameter(name=name, string_value=str(value)))
    return result


def _same_codec(local: RTCRtpCodecParameters, mime_type: str, clock_rate: int, channels: Optional[int], parameters: Dict[str, ParameterValue]) -> bool:
    """Whether aiortc's codec is the room's one (H264: the same packetization mode and profile)."""
    if local.mimeType.lower() != mime_type.lower() or local.clockRate != clock_rate:
        return False
    if local.mimeType.lower().startswith("audio/") and (local.channels or 1) != (channels or 1):
        return False
    if local.mimeType.lower() == "video/h264":
        mode = str(parameters.get("packetization-mode", 0))
        if str(local.parameters.get("packetization-mode", 0)) != mode:
            return False
        profile = str(parameters.get("profile-level-id", "42001f")).lower()
        return str(local.parameters.get("profile-level-id", "42001f")).lower()[:4] == profile[:4]
    return True


def local_codec_for(room_codec: rtp_pb2.RtpCodecCapability) -> Optional[RTCRtpCodecParameters]:
    """aiortc's codec that is the room's ``room_codec``, or None when aiortc has none."""
    kind = KIND_NAMES.get(room_codec.kind)
    if kind is None:
        return None
    parameters = parameters_from_proto(room_codec.parameters)
    channels = room_codec.channels if room_codec.HasField("channels") else None
    for local in CODECS[kind]:
        if not _is_rtx(local.mimeType) and _same_codec(local, room_codec.mime_type, room_codec.clock_rate, channels, parameters):
            return local
    return None


def receive_capabilities(room: rtp_pb2.RtpCapabilities) -> rtp_pb2.RtpCapabilities:
    """What this client can receive of the room's codecs and header extensions.

    The room's payload types are kept (the server sends with them); codecs
    aiortc cannot decode (VP9) go, and with them their RTX; feedback and
    header extensions are cut to NACK, PLI, MID and the audio level.
    """
    result = rtp_pb2.RtpCapabilities()
    kept_types = set()
    for codec in room.codecs:
        if _is_rtx(codec.mime_type) or local_codec_for(codec) is None:
            continue
        kept = result.codecs.add()
        kept.CopyFrom(codec)
        del kept.rtcp_feedback[:]
        for feedback in codec.rtcp_feedback:
            parameter = feedback.parameter if feedback.HasField("parameter") and feedback.parameter else None
            if (feedback.type, parameter) in _RECEIVE_FEEDBACK:
                kept.rtcp_feedback.add().CopyFrom(feedback)
        if codec.HasField("preferred_payload_type"):
            kept_types.add(codec.preferred_payload_type)
    for codec in room.codecs:
        if _is_rtx(codec.mime_type) and parameters_from_proto(codec.parameters).get("apt") in kept_types:
            result.codecs.add().CopyFrom(codec)
    for extension in room.header_extensions:
        kind = KIND_NAMES.get(extension.kind)
        if kind is not None and extension.uri in _RECEIVE_EXTENSIONS and any(
            local.uri == extension.uri for local in HEADER_EXTENSIONS[kind]
        ):
            result.header_extensions.add().CopyFrom(extension)
    return result


def codec_to_aiortc(codec: rtp_pb2.RtpCodecParameters) -> RTCRtpCodecParameters:
    return RTCRtpCodecParameters(
        mimeType=codec.mime_type,
        clockRate=codec.clock_rate,
        channels=codec.channels if codec.HasField("channels") else None,
        payloadType=codec.payload_type,
        rtcpFeedback=[
            RTCRtcpFeedback(type=f.type, parameter=f.parameter if f.HasField("parameter") and f.parameter else None)
            for f in codec.rtcp_feedback
        ],
        parameters=parameters_from_proto(codec.parameters),
    )


def codec_to_proto(codec: RTCRtpCodecParameters) -> rtp_pb2.RtpCodecParameters:
    result = rtp_pb2.RtpCodecParameters(
        mime_type=codec.mimeType,
        payload_type=codec.payloadType,
        clock_rate=codec.clockRate,
        parameters=parameters_to_proto(codec.parameters),
    )
    if codec.mimeType.lower().startswith("audio/"):
        result.channels = codec.channels or 1
    for feedback in codec.rtcpFeedback:
        entry = result.rtcp_feedback.add(type=feedback.type)
        if feedback.parameter:
            entry.parameter = feedback.parameter
    return result


def header_extensions_to_aiortc(
    extensions: Iterable[rtp_pb2.RtpHeaderExtensionParameters],
) -> List[RTCRtpHeaderExtensionParameters]:
    return [RTCRtpHeaderExtensionParameters(id=e.id, uri=e.uri) for e in extensions]


def ice_parameters_to_aiortc(ice: transport_pb2.IceParameters) -> RTCIceParameters:
    return RTCIceParameters(usernameFragment=ice.username_fragment, password=ice.password, iceLite=True)


_CANDIDATE_TYPES = {
    transport_pb2.ICE_CANDIDATE_TYPE_HOST: "host",
    transport_pb2.ICE_CANDIDATE_TYPE_SRFLX: "srflx",
    transport_pb2.ICE_CANDIDATE_TYPE_PRFLX: "prflx",
    transport_pb2.ICE_CANDIDATE_TYPE_RELAY: "relay",
}


def ice_candidates_to_aiortc(candidates: Iterable[transport_pb2.IceCandidate]) -> List[RTCIceCandidate]:
    """The server's UDP candidates (aioice, under aiortc, speaks ICE over UDP only)."""
    result = []
    for candidate in candidates:
        if candidate.protocol != transport_pb2.TRANSPORT_PROTOCOL_UDP:
            continue
        result.append(
            RTCIceCandidate(
                component=1,
                foundation=candidate.foundation,
                ip=candidate.address if candidate.HasField("address") and candidate.address else candidate.ip,
                port=candidate.port,
                priority=candidate.priority,
                protocol="udp",
                type=_CANDIDATE_TYPES.get(candidate.type, "host"),
            )
        )
    return result


#: The fingerprint algorithm aiortc 1.4 verifies (it compares sha-256 only).
_ALGORITHM = "sha-256"


def dtls_parameters_to_aiortc(dtls: transport_pb2.DtlsParameters, role: str) -> RTCDtlsParameters:
    """The server's DTLS parameters, with the role that the remote SDP states for it."""
    fingerprints = [RTCDtlsFingerprint(algorithm=f.algorithm, value=f.value) for f in dtls.fingerprints]
    usable = [f for f in fingerprints if f.algorithm.lower() == _ALGORITHM]
    if not usable:
        raise ValueError("the server offered no sha-256 DTLS fingerprint (the only one aiortc verifies)")
    return RTCDtlsParameters(fingerprints=usable[:1], role=role)


def dtls_parameters_to_proto(dtls: RTCDtlsParameters) -> transport_pb2.DtlsParameters:
    """This client's DTLS parameters for ConnectTransport: it is always the DTLS client."""
    return transport_pb2.DtlsParameters(
        role=transport_pb2.DTLS_ROLE_CLIENT,
        fingerprints=[
            transport_pb2.DtlsFingerprint(algorithm=f.algorithm, value=f.value) for f in dtls.fingerprints
        ],
    )
