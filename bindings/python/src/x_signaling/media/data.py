"""Data channels through the room: this client's data producers, other peers' data consumers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, List, Optional, Union

from aiortc.rtcdatachannel import RTCDataChannel
from pyee.asyncio import AsyncIOEventEmitter

from x_signaling.json_value import json_to_message
from x_signaling.v1 import notifications_pb2

if TYPE_CHECKING:
    from x_signaling.media.room import Room

#: Messages a data producer holds while its channel is not open yet.
MAX_HELD_MESSAGES = 1000


class DataMessageTooLargeError(ValueError):
    """A message larger than the server takes (its ``maxDataMessageSize``)."""

    code = "MESSAGE_TOO_LARGE"


@dataclass(frozen=True)
class DataMessage:
    """A message that reached this client: from a peer's data producer, or from the server app."""

    #: The sending peer, or None for the server app (``room.sendData()`` on the server).
    peer_name: Optional[str]
    #: The channel's label.
    label: str
    #: Text (str) or bytes.
    data: Union[str, bytes]


@dataclass(frozen=True)
class DataChannelSpec:
    """What a data producer was asked to be (kept to open it again after a rejoin)."""

    label: str
    protocol: str
    ordered: bool
    max_retransmits: Optional[int]
    max_packet_life_time: Optional[int]


class DataProducer(AsyncIOEventEmitter):
    """A data channel this client sends on; every other peer receives it.

    Events: ``open``, ``close`` (with the server's error, if it closed it).
    """

    def __init__(self, room: "Room", producer_id: int, spec: DataChannelSpec, app_data: Any) -> None:
        super().__init__()
        self._room = room
        self.id = producer_id
        self.spec = spec
        self.label = spec.label
        self.app_data = app_data
        self._channel: Optional[RTCDataChannel] = None
        self._max: Optional[int] = None
        self._held: List[Union[str, bytes]] = []
        self._closed = False
        #: Why the server closed it (its error), if it did.
        self.error: Optional[Exception] = None

    def _bind(self, channel: RTCDataChannel, max_message_size: Optional[int]) -> None:
        """Its channel (a new one after the room was joined again)."""
        self._channel = channel
        self._max = max_message_size
        channel.on("open", self._flush)
        if channel.readyState == "open":
            self._flush()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def ready_state(self) -> str:
        """The channel's state: 'connecting', 'open', 'closing', 'closed'."""
        return self._channel.readyState if self._channel is not None else "connecting"

    def send(self, data: Union[str, bytes]) -> None:
        """Sends text or bytes; held until the channel opens. Raises DataMessageTooLargeError past the server's limit."""
        if self._closed:
            raise RuntimeError(f"data producer {self.id} is closed")
        size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
        if self._max is not None and size > self._max:
            raise DataMessageTooLargeError(f"a message of {size} bytes is larger than the server takes ({self._max})")
        if self._channel is not None and self._channel.readyState == "open":
            self._channel.send(data)
        elif len(self._held) < MAX_HELD_MESSAGES:
            self._held.append(data)
        else:
            raise RuntimeError(f"the channel is not open yet and already holds {MAX_HELD_MESSAGES} messages")

    def _flush(self) -> None:
        held, self._held = self._held, []
        for data in held:
            self._channel.send(data)
        self.emit("open")

    async def close(self, app_data: Any = None) -> None:
        if self._closed:
            return
        close = notifications_pb2.CloseDataProducerNotification(id=self.id)
        if app_data is not None:
            close.app_data.CopyFrom(json_to_message(app_data))
        await self._room._notify(close_data_producer=close)
        self._ended(None)

    def _ended(self, error: Optional[Exception]) -> None:
        if self._closed:
            return
        self._closed = True
        self.error = error
        if self._channel is not None:
            self._channel.close()
        self._room._data_producers.pop(self.id, None)
        self.emit("close", error)


class DataConsumer(AsyncIOEventEmitter):
    """Another peer's data producer, as this client receives it.

    Events: ``message`` (a :class:`DataMessage`), ``close``.
    """

    def __init__(self, consumer_id: int, peer_name: str, label: str, protocol: str, app_data: Any) -> None:
        super().__init__()
        self.id = consumer_id
        self.peer_name = peer_name
        self.label = label
        self.protocol = protocol
        self.app_data = app_data
        self._channel: Optional[RTCDataChannel] = None
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def _attach(self, channel: RTCDataChannel, deliver) -> None:
        self._channel = channel

        @channel.on("message")
        def on_message(data: Union[str, bytes]) -> None:
            message = DataMessage(peer_name=self.peer_name, label=self.label, data=data)
            self.emit("message", message)
            deliver(message)

    def _ended(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._channel is not None:
            self._channel.close()
        self.emit("close")
