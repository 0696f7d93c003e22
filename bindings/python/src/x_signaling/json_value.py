"""appData and other JSON values, carried as x.signaling.v1.JsonValue.

JsonValue keeps object members in order (google.protobuf.Struct would not),
so the same value encodes to the same bytes in every language.
"""

from __future__ import annotations

import math
from typing import Any

from x_signaling.errors import ProtocolError
from x_signaling.v1 import json_pb2

#: Deepest nesting of arrays and objects carried, as @x/protocol's MAX_JSON_DEPTH.
MAX_JSON_DEPTH = 32


def json_to_message(value: Any, field: str = "app_data") -> json_pb2.JsonValue:
    """A JSON-able Python value (None, bool, int, float, str, list, tuple, dict with str keys) as a JsonValue.

    Raises ProtocolError NOT_JSON for anything JSON cannot carry (NaN,
    infinities, other types, non-string keys, nesting deeper than MAX_JSON_DEPTH).
    """
    return _to_message(value, field, 0)


def _to_message(value: Any, field: str, depth: int) -> json_pb2.JsonValue:
    message = json_pb2.JsonValue()
    if value is None:
        message.null_value.SetInParent()
    elif isinstance(value, bool):
        message.bool_value = value
    elif isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ProtocolError("NOT_JSON", f"{field} is {value}, which JSON cannot carry", field=field)
        message.number_value = float(value)
    elif isinstance(value, str):
        message.string_value = value
    elif isinstance(value, (list, tuple, dict)):
        if depth >= MAX_JSON_DEPTH:
            raise ProtocolError(
                "NOT_JSON", f"{field} nests deeper than {MAX_JSON_DEPTH} levels (or is circular)", field=field
            )
        if isinstance(value, dict):
            message.object_value.SetInParent()
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ProtocolError("NOT_JSON", f"{field} has a key that is not a string: {key!r}", field=field)
                member = message.object_value.members.add(key=key)
                member.value.CopyFrom(_to_message(item, f"{field}.{key}", depth + 1))
        else:
            message.array_value.SetInParent()
            for index, item in enumerate(value):
                message.array_value.values.append(_to_message(item, f"{field}[{index}]", depth + 1))
    else:
        raise ProtocolError("NOT_JSON", f"{field} is a {type(value).__name__}, which JSON cannot carry", field=field)
    return message


def json_from_message(message: json_pb2.JsonValue) -> Any:
    """The Python value of a JsonValue: numbers with no fraction come back as int. An empty JsonValue is None."""
    kind = message.WhichOneof("kind")
    if kind == "bool_value":
        return message.bool_value
    if kind == "number_value":
        number = message.number_value
        return int(number) if number.is_integer() else number
    if kind == "string_value":
        return message.string_value
    if kind == "array_value":
        return [json_from_message(item) for item in message.array_value.values]
    if kind == "object_value":
        return {member.key: json_from_message(member.value) for member in message.object_value.members}
    return None
