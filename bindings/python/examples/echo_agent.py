"""An echo agent: it follows the room's active speaker and says back what it heard a second later.

    python3 examples/echo_agent.py http://localhost:3000 demo [peer]

Swap the delay line for speech-to-text, a model and text-to-speech, and it
is a voice agent: frames come in as ``av.AudioFrame`` (48 kHz), and go out
as 16-bit PCM pushed into an :class:`AudioSourceTrack`.
"""

import asyncio
import json
import signal
import sys
import time
import urllib.parse
import urllib.request
from collections import deque

from x_signaling.media import AudioSourceTrack, join_room

DELAY = 1.0


async def main(origin: str, room_id: str, peer_name: str) -> None:
    query = urllib.parse.urlencode({"room": room_id, "peer": peer_name})
    with urllib.request.urlopen(f"{origin}/api/token?{query}") as answer:
        token = json.load(answer)["token"]
    url = origin.replace("http", "ws", 1) + "/ws?" + urllib.parse.urlencode({"room": room_id})
    room = await join_room(url, peer_name, token=token, app_data={"displayName": peer_name})
    voice = AudioSourceTrack(sample_rate=48_000, channels=1)
    await room.publish(voice, app_data={"source": "mic"})

    heard: deque = deque()  # (when, mono int16 samples), played back DELAY later
    listening: "asyncio.Task | None" = None

    async def listen(consumer) -> None:
        async for frame in consumer.frames():
            samples = frame.to_ndarray().reshape(-1)
            channels = len(frame.layout.channels)
            heard.append((time.monotonic(), samples[::channels].copy()))

    async def play() -> None:
        while True:
            while heard and time.monotonic() - heard[0][0] >= DELAY:
                voice.push(heard.popleft()[1])
            await asyncio.sleep(0.01)

    def on_speaker(name) -> None:
        nonlocal listening
        peer = room.peers.get(name) if name else None
        if peer is None or name == peer_name:
            return
        consumer = next((c for c in peer.consumers.values() if c.kind == "audio" and not c.closed), None)
        if consumer is None:
            return
        if listening is not None:
            listening.cancel()
        print(f"listening to {name}", flush=True)
        listening = asyncio.ensure_future(listen(consumer))

    room.on("activespeaker", on_speaker)
    room.enable_active_speaker()
    player = asyncio.ensure_future(play())
    print(f"{peer_name} is in room {room_id}: it repeats the active speaker a second later", flush=True)

    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    room.on("close", lambda reason: stop.set())
    await stop.wait()
    player.cancel()
    await room.leave()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(
        main(
            args[0] if len(args) > 0 else "http://localhost:3000",
            args[1] if len(args) > 1 else "demo",
            args[2] if len(args) > 2 else "py-echo",
        )
    )
