"""Framing and errors: one message per binary frame, every failure a ProtocolError or a ServerError."""

import contextlib
import os
import random
import unittest

from x_signaling import (
    DEFAULT_MAX_FRAME_SIZE,
    ClientMessage,
    ErrorCode,
    ProtocolError,
    ServerError,
    ServerMessage,
    decode_client_message,
    decode_server_message,
    encode_client_message,
    encode_server_message,
    error_code_name,
    response_result,
)
from x_signaling.v1 import requests_pb2, signaling_pb2


def join_request() -> ClientMessage:
    message = ClientMessage()
    message.request.id = 7
    message.request.join.peer_name = "py"
    message.request.join.protocol_version = 1
    return message


@contextlib.contextmanager
def quiet_stderr():
    """Protobuf's C++ runtime logs each invalid UTF-8 string it parses to stderr: noise for a fuzz test."""
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class FramingTest(unittest.TestCase):
    def test_round_trip(self):
        frame = encode_client_message(join_request())
        self.assertIsInstance(frame, bytes)
        self.assertEqual(decode_client_message(frame), join_request())
        # The bytes protobuf gives, nothing around them.
        self.assertEqual(frame, join_request().SerializeToString())

    def test_query_room_frame_bytes(self):
        message = ClientMessage()
        message.request.id = 1
        message.request.query_room.SetInParent()
        self.assertEqual(encode_client_message(message).hex(), "0a0408011200")

    def test_text_frames_are_refused(self):
        with self.assertRaises(ProtocolError) as caught:
            decode_server_message("hello")
        self.assertEqual(caught.exception.code, "MALFORMED_FRAME")

    def test_garbage_is_malformed(self):
        with self.assertRaises(ProtocolError) as caught:
            decode_server_message(b"\xff\xff\xff")
        self.assertEqual(caught.exception.code, "MALFORMED_FRAME")

    def test_frames_above_the_maximum_are_refused_both_ways(self):
        big = ClientMessage()
        big.request.id = 1
        big.request.join.peer_name = "x" * 2000
        with self.assertRaises(ProtocolError) as caught:
            encode_client_message(big, max_frame_size=1000)
        self.assertEqual(caught.exception.code, "FRAME_TOO_LARGE")
        with self.assertRaises(ProtocolError) as caught:
            decode_client_message(big.SerializeToString(), max_frame_size=1000)
        self.assertEqual(caught.exception.code, "FRAME_TOO_LARGE")
        self.assertEqual(DEFAULT_MAX_FRAME_SIZE, 1024 * 1024)

    def test_envelopes_with_nothing_known_are_unknown_messages(self):
        with self.assertRaises(ProtocolError) as caught:
            decode_server_message(b"")
        self.assertEqual(caught.exception.code, "UNKNOWN_MESSAGE")
        response = ServerMessage()
        response.response.id = 42  # no result: a kind from a newer schema
        with self.assertRaises(ProtocolError) as caught:
            decode_server_message(encode_server_message(response))
        self.assertEqual((caught.exception.code, caught.exception.request_id), ("UNKNOWN_MESSAGE", 42))
        request = ClientMessage()
        request.request.id = 9
        with self.assertRaises(ProtocolError) as caught:
            decode_client_message(encode_client_message(request))
        self.assertEqual((caught.exception.code, caught.exception.request_id), ("UNKNOWN_MESSAGE", 9))

    def test_random_input_gives_a_message_or_a_protocol_error(self):
        with quiet_stderr():
            self.random_input()

    def random_input(self):
        rng = random.Random(17)
        valid = encode_client_message(join_request())
        outcomes = {"message": 0, "error": 0}
        for i in range(3000):
            if i % 3 == 0:
                frame = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
            elif i % 3 == 1:
                frame = valid[: rng.randrange(len(valid))]
            else:
                mutated = bytearray(valid)
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
                frame = bytes(mutated)
            try:
                decode_client_message(frame)
                outcomes["message"] += 1
            except ProtocolError as error:
                self.assertIn(error.code, ("MALFORMED_FRAME", "UNKNOWN_MESSAGE"))
                outcomes["error"] += 1
        self.assertGreater(outcomes["message"], 0)
        self.assertGreater(outcomes["error"], 0)


class ResponseResultTest(unittest.TestCase):
    def test_ok_payload(self):
        response = signaling_pb2.Response(id=3, query_room=requests_pb2.QueryRoomResponse(mandatory_codec_payload_types=[100]))
        self.assertEqual(list(response_result(response, "query_room").mandatory_codec_payload_types), [100])

    def test_error_becomes_server_error_with_the_schema_code(self):
        response = signaling_pb2.Response(id=4)
        response.error.code = ErrorCode.ERROR_CODE_FORBIDDEN
        response.error.message = "this token cannot publish"
        response.error.field = "token"
        with self.assertRaises(ServerError) as caught:
            response_result(response, "create_producer")
        error = caught.exception
        self.assertEqual(error.code, ErrorCode.ERROR_CODE_FORBIDDEN)
        self.assertEqual(error.code_name, "FORBIDDEN")
        self.assertEqual((error.message, error.field, error.request_id, error.request),
                         ("this token cannot publish", "token", 4, "create_producer"))
        self.assertEqual(str(error), "create_producer failed: FORBIDDEN: this token cannot publish (field token)")

    def test_a_response_of_another_kind_is_refused(self):
        response = signaling_pb2.Response(id=5, join=requests_pb2.JoinResponse())
        with self.assertRaises(ProtocolError) as caught:
            response_result(response, "query_room")
        self.assertEqual(caught.exception.code, "UNKNOWN_MESSAGE")

    def test_error_code_names(self):
        self.assertEqual(error_code_name(ErrorCode.ERROR_CODE_PEER_NAME_TAKEN), "PEER_NAME_TAKEN")
        self.assertEqual(error_code_name(9999), "UNSPECIFIED")
        self.assertEqual(ServerError(9999, "from a newer server").code, 9999)


if __name__ == "__main__":
    unittest.main()
