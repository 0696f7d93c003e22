"""Framing: one protobuf message per WebSocket binary frame, no length prefix.

The WebSocket frame delimits the message. Frames above the maximum size are
refused before any decoding. Every failure is a :class:`ProtocolError`.
"""

from __future__ import annotations

from typing import Union

from google.protobuf.message import Message

from x_signaling.errors import ProtocolError, ServerError
from x_signaling.v1 import signaling_pb2

#: Default largest frame, in bytes, either way (1 MiB, as @x/protocol).
DEFAULT_MAX_FRAME_SIZE = 1024 * 1024

Frame = Union[bytes, bytearray, memoryview]


def _encode(message: Message, what: str, max_frame_size: int) -> bytes:
    try:
        data = message.SerializeToString()
    except Exception as error:  # protobuf raises EncodeError and others
        raise ProtocolError("INVALID_FIELD", f"{what} cannot be encoded: {error}") from error
    if len(data) > max_frame_size:
        raise ProtocolError(
            "FRAME_TOO_LARGE",
            f"{what} encodes to {len(data)} bytes, above the maximum frame size of {max_frame_size} bytes",
        )
    return data


def _decode(cls, frame: Frame, what: str, max_frame_size: int):
    if isinstance(frame, str):
        raise ProtocolError("MALFORMED_FRAME", "a frame must be binary, not text")
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise ProtocolError("MALFORMED_FRAME", f"a frame must be bytes, not {type(frame).__name__}")
    if len(frame) > max_frame_size:
        raise ProtocolError(
            "FRAME_TOO_LARGE",
            f"frame of {len(frame)} bytes is above the maximum frame size of {max_frame_size} bytes",
        )
    message = cls()
    try:
        message.ParseFromString(bytes(frame))
    except Exception as error:  # DecodeError, and RecursionError on hostile nesting
        raise ProtocolError("MALFORMED_FRAME", f"frame is not a valid {what}: {error}") from error
    return message


def encode_client_message(
    message: signaling_pb2.ClientMessage, *, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
) -> bytes:
    """Encodes a client message into one frame. Raises ProtocolError (FRAME_TOO_LARGE, INVALID_FIELD)."""
    return _encode(message, "client message", max_frame_size)


def encode_server_message(
    message: signaling_pb2.ServerMessage, *, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
) -> bytes:
    """Encodes a server message into one frame. Raises ProtocolError (FRAME_TOO_LARGE, INVALID_FIELD)."""
    return _encode(message, "server message", max_frame_size)


def decode_server_message(
    frame: Frame, *, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
) -> signaling_pb2.ServerMessage:
    """Decodes one frame from the server.

    Raises ProtocolError and nothing else: FRAME_TOO_LARGE, MALFORMED_FRAME,
    or UNKNOWN_MESSAGE when it holds no response or notification this version
    knows (then ``request_id`` is set for a response).
    """
    message = _decode(signaling_pb2.ServerMessage, frame, "ServerMessage", max_frame_size)
    kind = message.WhichOneof("message")
    if kind == "response":
        if message.response.WhichOneof("result") is None:
            raise ProtocolError(
                "UNKNOWN_MESSAGE",
                f"response {message.response.id} has no result this client knows",
                request_id=message.response.id,
            )
    elif kind == "notification":
        if message.notification.WhichOneof("body") is None:
            raise ProtocolError("UNKNOWN_MESSAGE", "notification has no body this client knows")
    else:
        raise ProtocolError("UNKNOWN_MESSAGE", "frame holds neither a response nor a notification")
    return message


def decode_client_message(
    frame: Frame, *, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
) -> signaling_pb2.ClientMessage:
    """Decodes one frame from a client (for servers and tests written in Python).

    Raises ProtocolError and nothing else: FRAME_TOO_LARGE, MALFORMED_FRAME,
    or UNKNOWN_MESSAGE (then ``request_id`` is set for a request).
    """
    message = _decode(signaling_pb2.ClientMessage, frame, "ClientMessage", max_frame_size)
    kind = message.WhichOneof("message")
    if kind == "request":
        if message.request.WhichOneof("body") is None:
            raise ProtocolError(
                "UNKNOWN_MESSAGE",
                f"request {message.request.id} has no body this server knows",
                request_id=message.request.id,
            )
    elif kind == "notification":
        if message.notification.WhichOneof("body") is None:
            raise ProtocolError("UNKNOWN_MESSAGE", "notification has no body this server knows")
    else:
        raise ProtocolError("UNKNOWN_MESSAGE", "frame holds neither a request nor a notification")
    return message


def response_result(response: signaling_pb2.Response, request: str = ""):
    """The ok payload of a response (e.g. a JoinResponse), or ServerError for an error.

    With ``request`` (the request's kind, e.g. ``'join'``), a response of
    another kind is a ProtocolError (UNKNOWN_MESSAGE).
    """
    result = response.WhichOneof("result")
    if result == "error":
        raise ServerError.from_message(response.error, request_id=response.id, request=request or None)
    if result is None or (request and result != request):
        raise ProtocolError(
            "UNKNOWN_MESSAGE",
            f"response {response.id} to {request or 'a request'} carries {result or 'no result'}",
            request_id=response.id,
        )
    return getattr(response, result)
