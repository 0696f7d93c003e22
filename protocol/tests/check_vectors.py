#!/usr/bin/env python3
"""Cross-language check of the golden vectors, with the protoc Python bindings.

For each vector of a folder (those TypeScript writes in
protocol/testdata/vectors, or those Go writes): decodes the bytes, compares
them with the JSON, re-encodes them and the JSON to the same bytes. Then
writes vectors of its own, built with the Python API, for TypeScript to
decode (--write DIR).

Run with the bindings on PYTHONPATH (protocol/scripts/generate-python.sh
writes the x_signaling.v1 modules).
"""
import argparse
import json
import pathlib
import sys

from google.protobuf import json_format

from x_signaling.v1 import errors_pb2, json_pb2, rtp_pb2, signaling_pb2, transport_pb2

TYPES = {
    "x.signaling.v1.ClientMessage": signaling_pb2.ClientMessage,
    "x.signaling.v1.ServerMessage": signaling_pb2.ServerMessage,
}


def check(vectors: pathlib.Path, label: str) -> int:
    failures = 0
    count = 0
    for spec_path in sorted(vectors.glob("*.json")):
        count += 1
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        data = spec_path.with_suffix(".bin").read_bytes()
        cls = TYPES[spec["type"]]

        decoded = cls()
        decoded.ParseFromString(data)
        problems = []
        if json_format.MessageToDict(decoded) != spec["message"]:
            problems.append("decoded message differs from its JSON")
        if decoded.SerializeToString() != data:
            problems.append("re-encoding gives other bytes")
        parsed = json_format.Parse(json.dumps(spec["message"]), cls())
        if parsed.SerializeToString() != data:
            problems.append("the JSON encodes to other bytes")
        if problems:
            failures += 1
            print(f"FAIL {spec_path.stem}: {'; '.join(problems)}")
    print(f"python: checked {count} {label} vectors, {failures} failed")
    return failures if count > 0 else 1


def json_value(value):
    """A Python value as a x.signaling.v1.JsonValue."""
    message = json_pb2.JsonValue()
    if value is None:
        message.null_value.SetInParent()
    elif isinstance(value, bool):
        message.bool_value = value
    elif isinstance(value, (int, float)):
        message.number_value = float(value)
    elif isinstance(value, str):
        message.string_value = value
    elif isinstance(value, list):
        message.array_value.SetInParent()
        for item in value:
            message.array_value.values.append(json_value(item))
    else:
        message.object_value.SetInParent()
        for key, item in value.items():
            message.object_value.members.add(key=key, value=json_value(item))
    return message


def python_vectors():
    """Messages built with the Python API, as a Python client or server would."""
    join = signaling_pb2.ClientMessage()
    join.request.id = 1
    j = join.request.join
    j.protocol_version = 1
    j.peer_name = "python-bot"
    j.spy = True
    j.app_data.CopyFrom(json_value({"lang": "python", "version": [3, 11], "nested": {"ok": True, "none": None}}))
    opus = j.rtp_capabilities.codecs.add()
    opus.kind = rtp_pb2.MEDIA_KIND_AUDIO
    opus.mime_type = "audio/opus"
    opus.preferred_payload_type = 100
    opus.clock_rate = 48000
    opus.channels = 2
    opus.parameters.add(name="useinbandfec", number_value=1)
    opus.parameters.add(name="sprop-stereo", string_value="1")
    opus.rtcp_feedback.add(type="transport-cc", parameter="")

    produce = signaling_pb2.ClientMessage()
    produce.request.id = 2
    p = produce.request.create_producer
    p.id = 99
    p.kind = rtp_pb2.MEDIA_KIND_VIDEO
    p.transport_id = 7
    codec = p.rtp_parameters.codecs.add(mime_type="video/VP8", payload_type=96, clock_rate=90000)
    codec.parameters.add(name="x-google-start-bitrate", number_value=1000)
    for ssrc, bitrate in ((111, 100000), (222, 300000), (333, 1500000)):
        encoding = p.rtp_parameters.encodings.add(ssrc=ssrc, max_bitrate=bitrate)
        encoding.rtx.ssrc = ssrc + 1
    p.rtp_parameters.rtcp.cname = "py"
    p.rtp_parameters.rtcp.reduced_size = False

    pause = signaling_pb2.ClientMessage()
    pause.notification.pause_producer.id = 99
    pause.notification.pause_producer.app_data.CopyFrom(json_value("muted by python"))

    error = signaling_pb2.ServerMessage()
    error.response.id = 3
    error.response.error.code = errors_pb2.ERROR_CODE_FORBIDDEN
    error.response.error.message = "this token cannot publish"

    transport = signaling_pb2.ServerMessage()
    transport.response.id = 4
    t = transport.response.create_transport
    t.ice_parameters.username_fragment = "py"
    t.ice_parameters.password = "pypypypypy"
    t.ice_parameters.ice_lite = True
    t.ice_candidates.add(
        foundation="udpcandidate", priority=1076302079, ip="127.0.0.1", port=40000,
        protocol=transport_pb2.TRANSPORT_PROTOCOL_UDP, type=transport_pb2.ICE_CANDIDATE_TYPE_HOST,
    )
    t.dtls_parameters.role = transport_pb2.DTLS_ROLE_AUTO
    t.dtls_parameters.fingerprints.add(algorithm="sha-256", value="00:11")

    return {
        "py_request_join": join,
        "py_request_create_producer": produce,
        "py_notification_pause_producer": pause,
        "py_response_error": error,
        "py_response_create_transport": transport,
    }


def write(out: pathlib.Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    vectors = python_vectors()
    for name, message in vectors.items():
        (out / f"{name}.bin").write_bytes(message.SerializeToString())
        spec = {"type": message.DESCRIPTOR.full_name, "message": json_format.MessageToDict(message)}
        (out / f"{name}.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    print(f"python: wrote {len(vectors)} vectors to {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", type=pathlib.Path, required=True)
    parser.add_argument("--label", default="TypeScript", help="who wrote the vectors, for the report")
    parser.add_argument("--write", type=pathlib.Path)
    args = parser.parse_args()
    failures = check(args.vectors, args.label)
    if args.write:
        write(args.write)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
