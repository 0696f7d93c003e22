"""x_signaling.media against a real x SFU server: real aiortc peers, real media.

The test runner (test/python.test.ts) starts the server (sessions resume
within 3 s) and passes X_SERVER_URL and X_MEDIA_TOKENS (JSON: room to peer
name to token, for the rooms of these tests, peers "a" and "b").
"""

import asyncio
import json
import os
import time
import unittest

import av
import numpy as np

from x_signaling import ServerError
from x_signaling.media import (
    AudioSourceTrack,
    DataMessageTooLargeError,
    TestPatternTrack,
    ToneTrack,
    VideoSourceTrack,
    join_room,
)


def settings():
    url, tokens = os.environ.get("X_SERVER_URL"), os.environ.get("X_MEDIA_TOKENS")
    if not url or not tokens:
        raise RuntimeError("X_SERVER_URL and X_MEDIA_TOKENS must be set: run through test/python.test.ts")
    return url, json.loads(tokens)


def frequency(frames) -> float:
    """The frequency of a tone from decoded frames: rising zero crossings of the first channel."""
    mono = np.concatenate([f.to_ndarray().reshape(-1)[:: len(f.layout.channels)] for f in frames]).astype(np.float64)
    mono -= mono.mean()
    rising = np.count_nonzero((mono[:-1] < 0) & (mono[1:] >= 0))
    return rising * frames[0].sample_rate / len(mono)


async def take(feed, count, timeout=15.0):
    async def collect():
        out = []
        async for item in feed:
            out.append(item)
            if len(out) == count:
                return out
        return out

    return await asyncio.wait_for(collect(), timeout)


async def next_consumer(room, peer, kind, timeout=10.0):
    async def find():
        async for consumer in room.consumers():
            if consumer.peer_name == peer and consumer.kind == kind and not consumer.closed:
                return consumer

    return await asyncio.wait_for(find(), timeout)


async def until(predicate, timeout=10.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.05)


class MediaTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.base, self.tokens = settings()
        self.rooms = []

    async def asyncTearDown(self):
        for room in self.rooms:
            await room.leave()

    async def join(self, room_id, peer, **options):
        room = await join_room(f"{self.base}/?roomId={room_id}", peer, token=self.tokens[room_id][peer], **options)
        self.rooms.append(room)
        return room

    async def test_a_tone_and_a_pattern_arrive_as_decoded_av_frames(self):
        a = await self.join("media-pair", "a")
        b = await self.join("media-pair", "b")
        tone = await a.publish(ToneTrack(frequency=523.25), app_data={"source": "mic"})
        await a.publish(TestPatternTrack(320, 240, fps=30))
        self.assertEqual([p.kind for p in a.producers], ["audio", "video"])

        audio = await next_consumer(b, "a", "audio")
        self.assertTrue(tone.id)
        self.assertEqual(audio.app_data, {"source": "mic"})
        frames = (await take(audio.frames(), 150))[50:]  # 3 s of 20 ms frames; the first second settles
        self.assertIsInstance(frames[0], av.AudioFrame)
        self.assertEqual(frames[0].sample_rate, 48000)
        self.assertAlmostEqual(frequency(frames), 523.25, delta=5)

        video = await next_consumer(b, "a", "video")
        pictures = await take(video.frames(), 30)
        self.assertIsInstance(pictures[-1], av.VideoFrame)
        self.assertEqual((pictures[-1].width, pictures[-1].height), (320, 240))
        self.assertIn("b", a.peers)
        self.assertEqual(sorted(c.kind for c in b.peers["a"].consumers.values()), ["audio", "video"])

    async def test_pushed_pcm_and_pictures_are_sent(self):
        a = await self.join("media-push", "a")
        b = await self.join("media-push", "b")
        voice = AudioSourceTrack(sample_rate=48000, channels=1)
        screen = VideoSourceTrack()
        await a.publish(voice)
        await a.publish(screen)
        second = (np.sin(2 * np.pi * 300 * np.arange(48000) / 48000) * 10000).astype(np.int16)

        # The tone goes in ahead (6 s, within max_buffered): a slow loop on a busy machine must not
        # leave gaps of silence in it; pictures are pushed as they would be, at 30 fps.
        for _ in range(6):
            voice.push(second)

        async def feed():
            for _ in range(6):
                for _ in range(30):
                    screen.push(np.full((180, 320, 3), 128, dtype=np.uint8))
                    await asyncio.sleep(1 / 30)

        pusher = asyncio.ensure_future(feed())
        try:
            audio = await next_consumer(b, "a", "audio")
            frames = (await take(audio.frames(), 150))[50:]
            self.assertAlmostEqual(frequency(frames), 300, delta=5)
            video = await next_consumer(b, "a", "video")
            picture = (await take(video.frames(), 10))[-1]
            self.assertEqual((picture.width, picture.height), (320, 180))
        finally:
            pusher.cancel()

    async def test_data_channels_both_ways_and_the_size_limit(self):
        a = await self.join("media-data", "a")
        b = await self.join("media-data", "b")
        chat = await a.produce_data("chat")
        await until(lambda: any(d._channel and d._channel.readyState == "open" for d in b.peers["a"].data_consumers.values()),
                    what="b receiving a's chat")
        messages = b.data_messages()
        chat.send("hello")
        chat.send(b"\x00\x01\x02")
        got = await take(messages, 2)
        self.assertEqual([(m.peer_name, m.label, m.data) for m in got], [("a", "chat", "hello"), ("a", "chat", b"\x00\x01\x02")])

        back = await b.produce_data("reactions", ordered=False, max_retransmits=1)
        await until(lambda: any(d.label == "reactions" and d._channel and d._channel.readyState == "open"
                                for d in a.peers["b"].data_consumers.values()), what="a receiving b's reactions")
        replies = a.data_messages()
        back.send("👍")
        self.assertEqual((await take(replies, 1))[0].data, "👍")

        with self.assertRaises(DataMessageTooLargeError):
            chat.send("x" * 20_000)  # the server's maxDataMessageSize is 16 KiB
        chat.send("still here")
        self.assertEqual((await take(messages, 1))[0].data, "still here")
        with self.assertRaises(ValueError):
            await a.produce_data("both", max_retransmits=1, max_packet_life_time=100)

    async def test_a_dropped_connection_resumes_and_media_goes_on(self):
        a = await self.join("media-resume", "a")
        b = await self.join("media-resume", "b")
        await a.publish(ToneTrack(frequency=440))
        audio = await next_consumer(b, "a", "audio")
        await take(audio.frames(), 10)
        modes = []
        a.on("reconnected", modes.append)
        a._client._websocket.transport.abort()  # the network drops the signaling connection
        await until(lambda: modes, what="reconnecting")
        self.assertEqual(modes, ["resume"])
        self.assertFalse(audio.closed)
        self.assertIn("a", b.peers)
        # Frames keep coming on the same consumer, and a is still a full member.
        await take(audio.frames(), 200)
        frames = await take(audio.frames(), 100)
        self.assertAlmostEqual(frequency(frames), 440, delta=5)
        await a.publish(TestPatternTrack(160, 120))
        consumer = await next_consumer(b, "a", "video")
        picture = (await take(consumer.frames(), 5))[-1]
        self.assertEqual((picture.width, picture.height), (160, 120))

    async def test_past_the_grace_period_the_room_is_joined_again_and_tracks_published_again(self):
        a = await self.join("media-rejoin", "a", reconnect_timeout=30)
        b = await self.join("media-rejoin", "b")
        await a.publish(ToneTrack(frequency=700))
        chat = await a.produce_data("chat")
        first = await next_consumer(b, "a", "audio")
        await take(first.frames(), 5)
        url, modes = a.url, []
        a.on("reconnected", modes.append)
        a.url = "ws://127.0.0.1:9/"  # unreachable: the session expires meanwhile (3 s)
        a._client._websocket.transport.abort()
        await until(lambda: first.closed, timeout=15, what="b seeing a's session end")
        a.url = url
        await until(lambda: modes, timeout=20, what="a joining again")
        self.assertEqual(modes, ["rejoin"])
        again = await next_consumer(b, "a", "audio", timeout=15)
        self.assertNotEqual(again, first)
        frames = (await take(again.frames(), 150))[50:]
        self.assertAlmostEqual(frequency(frames), 700, delta=5)
        # The data producer went again too, under its id: the app's object sends on.
        await until(lambda: any(d.label == "chat" and d._channel and d._channel.readyState == "open"
                                for d in b.peers["a"].data_consumers.values()), what="b receiving a's chat again")
        messages = b.data_messages()
        chat.send("back")
        self.assertEqual([(m.peer_name, m.data) for m in await take(messages, 1)], [("a", "back")])

    async def test_closing_ends_the_other_side(self):
        a = await self.join("media-close", "a")
        b = await self.join("media-close", "b")
        producer = await a.publish(ToneTrack(frequency=440))
        consumer = await next_consumer(b, "a", "audio")
        await take(consumer.frames(), 5)
        closed = asyncio.Event()
        consumer.on("close", closed.set)
        track = producer.track
        await producer.close()
        self.assertTrue(producer.closed)
        self.assertEqual(track.readyState, "live")  # the track is the app's: closing the producer leaves it
        await asyncio.wait_for(closed.wait(), 10)
        await asyncio.wait_for(take(consumer.frames(), 10_000), 5)  # the feed ends (whatever was left, then stop)
        gone = asyncio.Event()
        b.on("peerclosed", lambda peer: gone.set() if peer.name == "a" else None)
        await a.leave()
        await asyncio.wait_for(gone.wait(), 10)
        self.assertNotIn("a", b.peers)
        with self.assertRaises(RuntimeError):
            await a.publish(ToneTrack())

    async def test_refusals(self):
        with self.assertRaises(ServerError) as caught:
            await join_room(f"{self.base}/?roomId=media-pair", "a", token="not a token")
        self.assertEqual(caught.exception.code_name, "UNAUTHENTICATED")
        for bad in (lambda: ToneTrack(frequency=0), lambda: ToneTrack(amplitude=2), lambda: TestPatternTrack(15, 16),
                    lambda: AudioSourceTrack(sample_rate=12345), lambda: AudioSourceTrack(channels=3)):
            with self.assertRaises(ValueError):
                bad()
        # A program that pushes faster than real time loses the oldest audio, not memory.
        bounded = AudioSourceTrack(sample_rate=48000, channels=1, max_buffered=2.0)
        for _ in range(5):
            bounded.push(np.zeros(48000, dtype=np.int16))
        self.assertLessEqual(bounded.buffered, 2.0)
        voice = AudioSourceTrack(channels=2)
        with self.assertRaises(ValueError):
            voice.push(np.zeros(3, dtype=np.int16))
        with self.assertRaises(TypeError):
            voice.push(np.zeros(4, dtype=np.float32))
        with self.assertRaises(ValueError):
            VideoSourceTrack().push(np.zeros((4, 4), dtype=np.uint8))


if __name__ == "__main__":
    unittest.main()
