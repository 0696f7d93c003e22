"""Real media in a room, for programs: bots, agents, recorders (on aiortc and PyAV).

- :func:`join_room` / :meth:`Room.join`: join with an access token; the
  room reconnects by itself (the session resumes, or the room is joined
  again and the tracks published again).
- :meth:`Room.publish`: any aiortc ``MediaStreamTrack`` — :class:`ToneTrack`,
  :class:`TestPatternTrack`, :class:`AudioSourceTrack` and
  :class:`VideoSourceTrack` that the program pushes PCM or pictures into,
  or ``aiortc.contrib.media.MediaPlayer(...).audio`` for a file.
- :meth:`Room.consumers` and :meth:`Consumer.frames`: what the other peers
  publish, as decoded ``av.AudioFrame`` / ``av.VideoFrame`` (async iterators).
- :meth:`Room.produce_data` and :meth:`Room.data_messages`: data channels.

Needs aiortc (≥ 1.4) and PyAV: on Debian ``apt install python3-aiortc``
(with a virtual environment made with ``--system-site-packages``), else
``pip install 'x-signaling[media]'``.
"""

try:
    import aiortc  # noqa: F401
    import av  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the machine
    raise ImportError(
        "x_signaling.media needs aiortc and PyAV: on Debian `apt install python3-aiortc python3-av` "
        "(and make the virtual environment with --system-site-packages), elsewhere "
        "`pip install 'x-signaling[media]'`"
    ) from error

from x_signaling.media.consumer import Consumer
from x_signaling.media.data import DataConsumer, DataMessage, DataMessageTooLargeError, DataProducer
from x_signaling.media.feed import Feed
from x_signaling.media.producer import Producer
from x_signaling.media.room import Peer, Room, join_room
from x_signaling.media.tracks import AudioSourceTrack, TestPatternTrack, ToneTrack, VideoSourceTrack

__all__ = [
    "join_room",
    "Room",
    "Peer",
    "Producer",
    "Consumer",
    "DataProducer",
    "DataConsumer",
    "DataMessage",
    "DataMessageTooLargeError",
    "Feed",
    "AudioSourceTrack",
    "ToneTrack",
    "VideoSourceTrack",
    "TestPatternTrack",
]
