"""A measuring bot for the cross-language tests (not a unit test: run as a process).

    python3 media_probe.py --url ws://…/ws?room=r --token T --peer py [--tone 660]
        [--pattern 320x240] [--listen PEER] [--seconds 2]

It joins, publishes what it is told, and for each consumer of the peer it
listens to prints one JSON line: the dominant frequency of its audio
(counted from zero crossings of the decoded PCM, after a second for the
decoder to settle) or the size and rate of its decoded video frames. It
runs until stdin closes or it gets SIGINT or SIGTERM.
"""

import argparse
import asyncio
import json
import signal
import sys
import time

import numpy as np

from x_signaling.media import TestPatternTrack, ToneTrack, join_room


def say(**line) -> None:
    print(json.dumps(line), flush=True)


def frequency(samples: np.ndarray, sample_rate: int) -> float:
    signal = samples.astype(np.float64)
    signal -= signal.mean()
    rising = np.count_nonzero((signal[:-1] < 0) & (signal[1:] >= 0))
    return rising * sample_rate / len(signal)


async def measure_audio(consumer, seconds: float) -> None:
    chunks, rate, settled = [], 48_000, None
    async for frame in consumer.frames():
        rate = frame.sample_rate
        channels = len(frame.layout.channels)
        mono = frame.to_ndarray().reshape(-1)[::channels]
        if settled is None:
            settled = time.monotonic() + 1.0
        if time.monotonic() < settled:
            continue
        chunks.append(mono)
        if sum(len(c) for c in chunks) >= seconds * rate:
            break
    samples = np.concatenate(chunks)
    say(audio={"peer": consumer.peer_name, "frequency": frequency(samples, rate), "sampleRate": rate,
               "rms": float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))})


async def measure_video(consumer, seconds: float) -> None:
    count, first, sizes = 0, None, set()
    async for frame in consumer.frames():
        now = time.monotonic()
        if first is None:
            first = now + 1.0  # a second to ramp up, as a browser's encoder does
        if now < first:
            continue
        count += 1
        sizes.add((frame.width, frame.height))
        if now - first >= seconds:
            break
    width, height = max(sizes)
    say(video={"peer": consumer.peer_name, "width": width, "height": height, "fps": count / seconds,
               "format": frame.format.name, "sizes": sorted(sizes), "type": type(frame).__name__})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--peer", required=True)
    parser.add_argument("--tone", type=float)
    parser.add_argument("--pattern")
    parser.add_argument("--listen")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    room = await join_room(args.url, args.peer, token=args.token)
    if args.tone:
        await room.publish(ToneTrack(frequency=args.tone), app_data={"source": "mic"})
    if args.pattern:
        width, height = (int(n) for n in args.pattern.split("x"))
        await room.publish(TestPatternTrack(width, height), app_data={"source": "webcam"})
    say(joined=args.peer, producers=[p.kind for p in room.producers])

    measuring = []

    async def consumers() -> None:
        async for consumer in room.consumers():
            if args.listen and consumer.peer_name == args.listen:
                work = measure_audio if consumer.kind == "audio" else measure_video
                measuring.append(asyncio.ensure_future(work(consumer, args.seconds)))

    watcher = asyncio.ensure_future(consumers())
    # Until the test closes stdin, or sends SIGINT or SIGTERM: then it leaves the room.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    loop.run_in_executor(None, sys.stdin.read).add_done_callback(lambda _: loop.call_soon_threadsafe(stop.set))
    await stop.wait()
    watcher.cancel()
    for task in measuring:
        task.cancel()
    await room.leave()


if __name__ == "__main__":
    asyncio.run(main())
