"""A bot that publishes a tone and a test pattern: the shape of a media bot without any model.

    python3 examples/tone_and_pattern_bot.py http://localhost:3000 demo [peer] [frequency]

It asks the demo's API for a token (an app's backend gives its own), joins,
and publishes a sine tone (660 Hz unless told) and moving colour bars at
640x480, until interrupted.
"""

import asyncio
import json
import signal
import sys
import urllib.parse
import urllib.request

from x_signaling.media import TestPatternTrack, ToneTrack, join_room


async def main(origin: str, room_id: str, peer_name: str, frequency: float) -> None:
    query = urllib.parse.urlencode({"room": room_id, "peer": peer_name})
    with urllib.request.urlopen(f"{origin}/api/token?{query}") as answer:
        token = json.load(answer)["token"]
    url = origin.replace("http", "ws", 1) + "/ws?" + urllib.parse.urlencode({"room": room_id})
    room = await join_room(url, peer_name, token=token, app_data={"displayName": peer_name})
    await room.publish(ToneTrack(frequency=frequency), app_data={"source": "mic"})
    await room.publish(TestPatternTrack(640, 480, fps=30), app_data={"source": "webcam"})
    print(f"{peer_name} is in room {room_id}: a {frequency:g} Hz tone and a test pattern", flush=True)

    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    room.on("close", lambda reason: stop.set())
    await stop.wait()
    await room.leave()


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(
        main(
            args[0] if len(args) > 0 else "http://localhost:3000",
            args[1] if len(args) > 1 else "demo",
            args[2] if len(args) > 2 else "py-bot",
            float(args[3]) if len(args) > 3 else 660.0,
        )
    )
