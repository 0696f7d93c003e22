"""What another peer publishes, as this client receives it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Optional, Union

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from pyee.asyncio import AsyncIOEventEmitter

from x_signaling.media.feed import Feed

if TYPE_CHECKING:
    from x_signaling.media.room import Room

Frame = Union[av.AudioFrame, av.VideoFrame]

#: Frames kept for a reader that falls behind: 2 s of 20 ms audio, 2 s of 30 fps video.
DEFAULT_MAX_AUDIO_FRAMES = 100
DEFAULT_MAX_VIDEO_FRAMES = 60


class Consumer(AsyncIOEventEmitter):
    """A producer of another peer, received by this client.

    A room joined with ``receive=True`` (the default) receives every
    consumer it can decode by itself; otherwise ``await consumer.receive()``.
    Its decoded frames come from :meth:`frames`.

    Events: ``close``, ``pause`` and ``resume`` (on the server side: the
    producer paused, or the server app paused it).
    """

    def __init__(self, room: "Room", consumer_id: int, kind: str, peer_name: str, app_data: Any, paused: bool, supported: bool) -> None:
        super().__init__()
        self._room = room
        #: The consumer's id (its producer's id).
        self.id = consumer_id
        #: 'audio' or 'video'.
        self.kind = kind
        #: The peer that publishes it.
        self.peer_name = peer_name
        #: The producer's app data.
        self.app_data = app_data
        #: Whether this client can decode it (the room may use codecs aiortc lacks, as VP9).
        self.supported = supported
        self._paused = paused
        self._closed = False
        self._track: Optional[MediaStreamTrack] = None
        self._mid: Optional[str] = None
        self._transport_id: Optional[int] = None
        self._receiving: Optional[asyncio.Future] = None
        self._feed: Feed[Frame] = Feed(DEFAULT_MAX_AUDIO_FRAMES if kind == "audio" else DEFAULT_MAX_VIDEO_FRAMES)
        self._pump: Optional[asyncio.Task] = None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def paused(self) -> bool:
        """Paused on the server side (nothing arrives meanwhile)."""
        return self._paused

    @property
    def track(self) -> Optional[MediaStreamTrack]:
        """The aiortc track its frames arrive on, once received (for a MediaRecorder, or a relay)."""
        return self._track

    @property
    def dropped_frames(self) -> int:
        """Frames dropped because :meth:`frames` was read too slowly."""
        return self._feed.dropped

    async def receive(self) -> MediaStreamTrack:
        """Receives it on the room's receive transport (once; later calls wait for the first)."""
        if self._closed:
            raise RuntimeError(f"consumer {self.id} is closed")
        if not self.supported:
            raise RuntimeError(f"consumer {self.id} uses a codec this client cannot decode")
        if self._receiving is None:
            self._receiving = asyncio.ensure_future(self._room._receive(self))
        return await asyncio.shield(self._receiving)

    def frames(self) -> Feed[Frame]:
        """Its decoded frames (``av.AudioFrame`` or ``av.VideoFrame``), in order, until it closes.

        Bounded: when the reader falls behind, the oldest frames go
        (:attr:`dropped_frames` counts them). One reader at a time.
        """
        return self._feed

    def _attach(self, track: MediaStreamTrack, transport_id: int, mid: str) -> None:
        self._track = track
        self._transport_id = transport_id
        self._mid = mid
        self._pump = asyncio.ensure_future(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        # aiortc decodes whether anyone reads or not: its frames go into the bounded feed.
        try:
            while True:
                self._feed.push(await track.recv())
        except MediaStreamError:
            pass
        finally:
            self._feed.end()

    def _set_paused(self, paused: bool) -> None:
        if self._paused != paused and not self._closed:
            self._paused = paused
            self.emit("pause" if paused else "resume")

    def _ended(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._pump is not None:
            self._pump.cancel()
        self._feed.end()
        self.emit("close")
