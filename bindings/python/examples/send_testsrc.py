#!/usr/bin/env python3
"""Join an x SFU room from Python and send video into it from ffmpeg.

    python3 send_testsrc.py --url 'ws://localhost:8080/?roomId=demo' --peer py-camera --token "$TOKEN"

1. Connects, queries the room and joins as ``--peer`` with the access token
   the app's backend made for that peer and room (``createAccessToken`` on
   the server). The same token carries what the peer may do: publish, and
   use plain RTP (``canUsePlainRtp``, on a server whose ``clientPlainRtp``
   allows this machine's network); nothing else is needed for the media.
2. Prints every notification of the room as it comes (``new_peer``,
   ``new_consumer``, ``peer_closed``, …) and, with ``--wait-for-producer``,
   waits until another peer sends something before going on.
3. Creates a plain RTP send transport and a VP8 producer on it, then runs
   ffmpeg: its test pattern (``-f lavfi -i testsrc``), encoded with libvpx,
   as RTP to the server's port, from the local ports the transport expects.
4. After ``--seconds``, leaves the room.

Every step is printed as one JSON object per line on stdout.
Needs ffmpeg (Debian: ffmpeg) and x_signaling.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sys

from x_signaling import Client, ServerError, json_from_message
from x_signaling.v1 import rtp_pb2

PAYLOAD_TYPE = 101


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def free_udp_port_pair(host: str) -> int:
    """An even port P with P and P+1 free on ``host``: ffmpeg sends RTP from P and RTCP from P+1."""
    for _ in range(100):
        port = random.randrange(20000, 29998, 2)
        sockets = []
        try:
            for p in (port, port + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(s)
                s.bind((host, p))
            return port
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free UDP port pair for ffmpeg")


def vp8_parameters(ssrc: int) -> rtp_pb2.RtpParameters:
    """What ffmpeg sends: VP8 on one SSRC, RTCP on its own port."""
    return rtp_pb2.RtpParameters(
        codecs=[rtp_pb2.RtpCodecParameters(mime_type="video/VP8", payload_type=PAYLOAD_TYPE, clock_rate=90000)],
        encodings=[rtp_pb2.RtpEncodingParameters(ssrc=ssrc)],
        rtcp=rtp_pb2.RtcpParameters(cname="ffmpeg", reduced_size=False, mux=False),
    )


def describe(notification) -> dict:
    kind = notification.WhichOneof("body")
    body = getattr(notification, kind)
    if kind == "new_peer":
        return {"name": body.peer.name, "consumers": len(body.peer.consumers)}
    if kind == "new_consumer":
        c = body.consumer
        return {"peer": c.peer_name, "kind": rtp_pb2.MediaKind.Name(c.kind), "consumer": c.id}
    if kind == "peer_closed":
        return {"name": body.name}
    if kind == "notification_rejected":
        return {"code": body.error.code, "message": body.error.message}
    return {}


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the server's WebSocket URL, with the room")
    parser.add_argument("--peer", default="py-camera", help="peer name (the token's)")
    parser.add_argument("--token", default=os.environ.get("X_TOKEN", ""), help="access token (default: $X_TOKEN)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to send")
    parser.add_argument("--wait-for-producer", action="store_true", help="send once another peer sends")
    parser.add_argument("--local-ip", default="127.0.0.1", help="address ffmpeg sends from")
    args = parser.parse_args()

    async with await Client.connect(args.url) as client:
        room = await client.query_room(token=args.token)
        try:
            joined = await client.join(args.peer, rtp_capabilities=room.rtp_capabilities, token=args.token)
        except ServerError as error:
            emit("join_failed", code=error.code_name, message=error.message)
            return 1
        producers = [(c.peer_name, rtp_pb2.MediaKind.Name(c.kind)) for p in joined.peers for c in p.consumers]
        emit("joined", peers=[p.name for p in joined.peers], app_data=[json_from_message(p.app_data) for p in joined.peers])

        someone_sends = asyncio.Event()
        if producers:
            someone_sends.set()

        async def watch() -> None:
            async for notification in client.notifications():
                kind = notification.WhichOneof("body")
                emit(kind, **describe(notification))
                has_consumers = kind == "new_consumer" or (kind == "new_peer" and notification.new_peer.peer.consumers)
                if has_consumers:
                    someone_sends.set()

        watcher = asyncio.create_task(watch())
        if args.wait_for_producer:
            await asyncio.wait_for(someone_sends.wait(), 30)

        rtp_port = free_udp_port_pair(args.local_ip)
        transport = await client.create_plain_transport(
            remote_ip=args.local_ip, remote_port=rtp_port, rtcp_port=rtp_port + 1, app_data={"sender": "ffmpeg"}
        )
        emit("transport", id=transport.id, server_ip=transport.local_ip, server_port=transport.local_port,
             server_rtcp_port=transport.local_rtcp_port, local_port=rtp_port)
        ssrc = random.randrange(1, 2**31)  # ffmpeg takes a signed 32-bit SSRC
        producer_id = await client.create_producer(
            transport_id=transport.id, kind="video", rtp_parameters=vp8_parameters(ssrc), app_data={"source": "testsrc"}
        )
        emit("producer", id=producer_id, ssrc=ssrc, payload_type=PAYLOAD_TYPE)

        target = (
            f"rtp://{transport.local_ip}:{transport.local_port}"
            f"?rtcpport={transport.local_rtcp_port}&localrtpport={rtp_port}&localrtcpport={rtp_port + 1}&pkt_size=1200"
        )
        try:
            ffmpeg = await asyncio.create_subprocess_exec(
                "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", str(args.seconds),
                "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k", "-g", "15",
                "-payload_type", str(PAYLOAD_TYPE), "-ssrc", str(ssrc), "-f", "rtp", target,
                stdout=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        except FileNotFoundError:
            emit("error", message="ffmpeg is not installed: install the Debian package ffmpeg")
            return 1
        code = await ffmpeg.wait()
        emit("sent", seconds=args.seconds, ffmpeg_exit=code)

        watcher.cancel()
        await client.leave()
        emit("left")
        return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
