"""The exceptions of x_signaling: each carries a code a program can act on."""

from __future__ import annotations

from typing import Optional

from x_signaling.v1 import errors_pb2

#: The codes of :class:`ProtocolError`, as in @x/protocol's ``ProtocolError``.
PROTOCOL_ERROR_CODES = ("FRAME_TOO_LARGE", "MALFORMED_FRAME", "UNKNOWN_MESSAGE", "INVALID_FIELD", "NOT_JSON")


class ProtocolError(Exception):
    """A frame or value this side cannot accept or produce.

    ``code`` is one of :data:`PROTOCOL_ERROR_CODES`: ``FRAME_TOO_LARGE``,
    ``MALFORMED_FRAME`` (not a valid protobuf envelope, or not binary),
    ``UNKNOWN_MESSAGE`` (an envelope with nothing this version knows),
    ``INVALID_FIELD`` or ``NOT_JSON`` (a value appData cannot carry).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: Optional[str] = None,
        request_id: Optional[int] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        #: Path of the offending field, when known.
        self.field = field
        #: Id of the request the frame carried, when it could be read that far.
        self.request_id = request_id


def error_code_name(code: int) -> str:
    """The schema's name of an error code without its prefix ('FORBIDDEN'); 'UNSPECIFIED' for a number this version does not know."""
    try:
        return errors_pb2.ErrorCode.Name(code).replace("ERROR_CODE_", "", 1)
    except ValueError:
        return "UNSPECIFIED"


class ServerError(Exception):
    """The server answered a request with an error (x.signaling.v1.Error).

    ``code`` is the schema's :class:`ErrorCode` number (compare it with
    ``ErrorCode.ERROR_CODE_FORBIDDEN`` and the like), ``code_name`` its name
    without the prefix (``'FORBIDDEN'``), ``message`` what went wrong and
    what to do about it, ``field`` the offending field when one is at fault.
    """

    def __init__(
        self,
        code: int,
        message: str,
        *,
        field: str = "",
        request_id: Optional[int] = None,
        request: Optional[str] = None,
    ) -> None:
        self.code = code
        self.code_name = error_code_name(code)
        self.message = message
        self.field = field
        self.request_id = request_id
        #: The kind of request that failed ('join', 'create_transport', …).
        self.request = request
        where = f" (field {field})" if field else ""
        what = f"{request} failed: " if request else ""
        super().__init__(f"{what}{self.code_name}: {message}{where}")

    @classmethod
    def from_message(
        cls, error: errors_pb2.Error, *, request_id: Optional[int] = None, request: Optional[str] = None
    ) -> "ServerError":
        """The exception for an Error message of a response."""
        return cls(error.code, error.message, field=error.field, request_id=request_id, request=request)


class ConnectionClosed(Exception):
    """The signaling connection is closed: no more requests can be sent on it.

    ``code`` and ``reason`` are the WebSocket close code and reason, when
    known (the server uses 4000 and up for its own reasons).
    """

    def __init__(self, message: str, *, code: Optional[int] = None, reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
