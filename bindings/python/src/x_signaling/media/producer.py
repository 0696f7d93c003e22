"""A track this client publishes in the room."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from pyee.asyncio import AsyncIOEventEmitter

from x_signaling.json_value import json_to_message
from x_signaling.v1 import notifications_pb2

if TYPE_CHECKING:
    from x_signaling.media.room import Room


class Producer(AsyncIOEventEmitter):
    """A track this client sends to the room (``await room.publish(track)``).

    Events: ``close`` (the producer closed: by this client, the server or the room).
    """

    def __init__(self, room: "Room", producer_id: int, track: MediaStreamTrack, app_data: Any, paused: bool) -> None:
        super().__init__()
        self._room = room
        #: The producer's id.
        self.id = producer_id
        #: The track sent.
        self.track = track
        #: 'audio' or 'video'.
        self.kind: str = track.kind
        #: The app's data given to :meth:`Room.publish`.
        self.app_data = app_data
        self._paused = paused
        self._closed = False
        self._transceiver: Optional[RTCRtpTransceiver] = None

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def closed(self) -> bool:
        return self._closed

    async def pause(self) -> None:
        """Pauses it: the server stops forwarding it (the other peers' consumers pause)."""
        if self._closed or self._paused:
            return
        self._paused = True
        await self._room._notify(pause_producer=notifications_pb2.PauseProducerNotification(id=self.id))

    async def resume(self) -> None:
        """Resumes it."""
        if self._closed or not self._paused:
            return
        self._paused = False
        await self._room._notify(resume_producer=notifications_pb2.ResumeProducerNotification(id=self.id))

    async def close(self, app_data: Any = None) -> None:
        """Stops publishing the track (the track itself is the app's: it is not stopped)."""
        if self._closed:
            return
        close = notifications_pb2.CloseProducerNotification(id=self.id)
        if app_data is not None:
            close.app_data.CopyFrom(json_to_message(app_data))
        await self._room._notify(close_producer=close)
        await self._room._producer_closed(self)

    def _ended(self) -> None:
        if not self._closed:
            self._closed = True
            self.emit("close")
