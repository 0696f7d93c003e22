"""Tracks a program publishes: a tone, a test pattern, and sources it pushes frames into.

Each is an aiortc ``MediaStreamTrack`` (``await room.publish(track)``); any
other aiortc track works too (``aiortc.contrib.media.MediaPlayer`` for a file).
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections import deque
from typing import Deque, Optional, Union

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

#: Audio frames are 20 ms (what opus packs into one packet).
AUDIO_PTIME = 0.020
VIDEO_CLOCK_RATE = 90_000
#: How late a paced track may fall before it stops catching up (seconds).
MAX_LATE = 0.2


class _Clock:
    """Paces frames in real time: the n-th frame is due ``n × period`` after the first."""

    def __init__(self, period: float) -> None:
        self._period = period
        self._start: Optional[float] = None
        self.count = 0

    async def tick(self) -> None:
        now = time.monotonic()
        if self._start is None:
            self._start = now
            return
        self.count += 1
        delay = self._start + self.count * self._period - now
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -MAX_LATE:
            # Nobody read for a while (no sender, or a transport being replaced): go on from now
            # rather than make up for it with a burst.
            self._start = now - self.count * self._period


class AudioSourceTrack(MediaStreamTrack):
    """An audio track the program pushes 16-bit PCM into (any length); silence when it pushes none.

    ``push()`` takes interleaved int16 samples (a numpy array or bytes). At
    most ``max_buffered`` seconds wait to be sent; older samples go.
    """

    kind = "audio"

    def __init__(self, sample_rate: int = 48_000, channels: int = 1, max_buffered: float = 10.0) -> None:
        super().__init__()
        if sample_rate not in (8_000, 16_000, 24_000, 32_000, 44_100, 48_000):
            raise ValueError("sample_rate must be one of 8000, 16000, 24000, 32000, 44100, 48000")
        if channels not in (1, 2):
            raise ValueError("channels must be 1 or 2")
        self.sample_rate = sample_rate
        self.channels = channels
        self._per_frame = int(sample_rate * AUDIO_PTIME)
        self._buffer: Deque[np.ndarray] = deque()
        self._buffered = 0
        self._max = int(max_buffered * sample_rate)
        self._clock = _Clock(AUDIO_PTIME)
        self._pts = 0

    @property
    def buffered(self) -> float:
        """Seconds of pushed audio waiting to be sent (at most ``max_buffered``)."""
        return self._buffered / self.sample_rate

    def push(self, samples: Union[np.ndarray, bytes]) -> None:
        """Queues interleaved int16 PCM to send."""
        data = np.frombuffer(samples, dtype=np.int16) if isinstance(samples, (bytes, bytearray, memoryview)) else np.asarray(samples)
        if data.dtype != np.int16:
            raise TypeError("samples must be int16 PCM")
        data = data.reshape(-1)
        if data.size % self.channels:
            raise ValueError(f"interleaved samples of {self.channels} channels come in multiples of {self.channels}")
        self._buffer.append(data)
        self._buffered += data.size // self.channels
        while self._buffered > self._max:
            dropped = self._buffer.popleft()
            self._buffered -= dropped.size // self.channels

    def _take(self, count: int) -> np.ndarray:
        out = np.zeros(count * self.channels, dtype=np.int16)
        filled = 0
        while filled < out.size and self._buffer:
            head = self._buffer[0]
            take = min(head.size, out.size - filled)
            out[filled : filled + take] = head[:take]
            filled += take
            if take == head.size:
                self._buffer.popleft()
            else:
                self._buffer[0] = head[take:]
        self._buffered -= filled // self.channels
        return out

    def _samples(self, count: int) -> np.ndarray:
        return self._take(count)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._clock.tick()
        samples = self._samples(self._per_frame)
        frame = av.AudioFrame.from_ndarray(
            samples.reshape(1, -1), format="s16", layout="mono" if self.channels == 1 else "stereo"
        )
        frame.sample_rate = self.sample_rate
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.sample_rate)
        self._pts += self._per_frame
        return frame


class ToneTrack(AudioSourceTrack):
    """A sine tone (48 kHz mono): a test signal whose frequency the listener can measure."""

    def __init__(self, frequency: float = 440.0, amplitude: float = 0.3, sample_rate: int = 48_000) -> None:
        super().__init__(sample_rate=sample_rate, channels=1)
        if not 0 < frequency < sample_rate / 2:
            raise ValueError(f"frequency must be between 0 and {sample_rate / 2} Hz")
        if not 0 < amplitude <= 1:
            raise ValueError("amplitude must be in (0, 1]")
        self.frequency = frequency
        self._amplitude = amplitude
        self._phase = 0.0

    def _samples(self, count: int) -> np.ndarray:
        step = 2 * math.pi * self.frequency / self.sample_rate
        phases = self._phase + step * np.arange(count)
        self._phase = float((self._phase + step * count) % (2 * math.pi))
        return (np.sin(phases) * self._amplitude * 32767).astype(np.int16)


class VideoSourceTrack(MediaStreamTrack):
    """A video track the program pushes frames into (``av.VideoFrame`` or an RGB ``numpy`` array).

    Each pushed frame is sent once, stamped with the time it is taken; a
    program that pushes faster than the encoder takes loses the oldest
    (at most ``max_buffered`` wait).
    """

    kind = "video"

    def __init__(self, max_buffered: int = 30) -> None:
        super().__init__()
        self._frames: Deque[av.VideoFrame] = deque(maxlen=max_buffered)
        self._ready = asyncio.Event()
        self._start: Optional[float] = None

    def push(self, frame: Union[av.VideoFrame, np.ndarray]) -> None:
        """Queues a frame: an av.VideoFrame, or an (height, width, 3) uint8 RGB array."""
        if isinstance(frame, np.ndarray):
            if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
                raise ValueError("an array frame is (height, width, 3) uint8 RGB")
            frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
        self._frames.append(frame)
        self._ready.set()

    def _stamp(self, frame: av.VideoFrame) -> av.VideoFrame:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        frame.pts = int((now - self._start) * VIDEO_CLOCK_RATE)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        return frame

    async def recv(self) -> av.VideoFrame:
        while not self._frames:
            if self.readyState != "live":
                raise MediaStreamError
            self._ready.clear()
            await self._ready.wait()
        return self._stamp(self._frames.popleft())

    def stop(self) -> None:
        super().stop()
        self._ready.set()


class TestPatternTrack(MediaStreamTrack):
    """Moving colour bars at a given size and rate: a test signal whose size the receiver can check."""

    kind = "video"
    __test__ = False  # not a test case, whatever its name says to pytest

    def __init__(self, width: int = 640, height: int = 480, fps: float = 30.0) -> None:
        super().__init__()
        if width < 16 or height < 16 or width % 2 or height % 2:
            raise ValueError("width and height must be even and at least 16")
        if not 0 < fps <= 60:
            raise ValueError("fps must be in (0, 60]")
        self.width, self.height, self.fps = width, height, fps
        colours = np.array(
            [[235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16], [235, 16, 235], [235, 16, 16], [16, 16, 235], [16, 16, 16]],
            dtype=np.uint8,
        )
        columns = colours[(np.arange(width) * 8 // width)]
        self._bars = np.repeat(columns[np.newaxis, :, :], height, axis=0)
        self._clock = _Clock(1 / fps)

    async def recv(self) -> av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await self._clock.tick()
        count = self._clock.count
        image = np.roll(self._bars, count * 4 % self.width, axis=1)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = int(count * VIDEO_CLOCK_RATE / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        return frame
