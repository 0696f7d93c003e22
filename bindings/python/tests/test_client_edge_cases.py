"""How the client treats what the x SFU sends rarely or never: a join answer
split into peer batches (a room too big for one frame), a bad frame, more
notifications than it may queue, no answer at all.

A small websockets server of the test plays that part (the only stand-in in
these tests): the real server splits a join only past 512 KiB of peers.
"""

import asyncio
import unittest

import websockets

from x_signaling import (
    Client,
    ConnectionClosed,
    ProtocolError,
    ServerMessage,
    decode_client_message,
    encode_server_message,
)
from x_signaling.v1 import rtp_pb2


def peer_closed(name: str) -> bytes:
    message = ServerMessage()
    message.notification.peer_closed.name = name
    return encode_server_message(message)


class MisbehavingServerTest(unittest.IsolatedAsyncioTestCase):
    async def serve(self, handler):
        server = await websockets.serve(handler, "127.0.0.1", 0)
        self.addAsyncCleanup(self.stop, server)
        port = server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}/"

    @staticmethod
    async def stop(server):
        server.close()
        await server.wait_closed()

    async def test_join_gathers_the_peer_batches_that_follow_its_response(self):
        async def handler(websocket, *_):
            request = decode_client_message(await websocket.recv()).request
            answer = ServerMessage()
            answer.response.id = request.id
            answer.response.join.session_id = "s"
            answer.response.join.peers.add(name="first")
            answer.response.join.more_peer_batches = 2
            await websocket.send(encode_server_message(answer))
            for names in (["second", "third"], ["fourth"]):
                batch = ServerMessage()
                for name in names:
                    batch.notification.peer_batch.peers.add(name=name)
                await websocket.send(encode_server_message(batch))
            await websocket.send(peer_closed("after"))
            await websocket.wait_closed()

        async with await Client.connect(await self.serve(handler)) as client:
            joined = await client.join("py", rtp_capabilities=rtp_pb2.RtpCapabilities())
            self.assertEqual([p.name for p in joined.peers], ["first", "second", "third", "fourth"])
            self.assertEqual(joined.more_peer_batches, 0)
            # The batches are part of the answer, not notifications.
            closed = await client.wait_for("peer_closed", timeout=5)
            self.assertEqual(closed.name, "after")

    async def test_a_text_frame_closes_the_connection_with_a_protocol_error(self):
        closed = asyncio.get_running_loop().create_future()

        async def handler(websocket, *_):
            await websocket.send(peer_closed("before"))
            await websocket.send("not a protobuf frame")
            try:
                await websocket.wait_closed()
            finally:
                closed.set_result(websocket.close_code)

        client = await Client.connect(await self.serve(handler))
        received = []
        with self.assertRaises(ProtocolError) as caught:
            async for notification in client.notifications():
                received.append(notification.peer_closed.name)
        self.assertEqual(caught.exception.code, "MALFORMED_FRAME")
        self.assertEqual(received, ["before"])
        self.assertEqual(await asyncio.wait_for(closed, 5), 1002)
        with self.assertRaises(ConnectionClosed):
            await client.query_room()

    async def test_notifications_not_consumed_past_the_limit_close_the_connection(self):
        async def handler(websocket, *_):
            for i in range(10):
                await websocket.send(peer_closed(f"p{i}"))
            await websocket.wait_closed()

        client = await Client.connect(await self.serve(handler), max_queued_notifications=3)
        await asyncio.sleep(0.5)  # the server sends ten; nobody reads them
        self.assertTrue(client.closed)
        received = []
        with self.assertRaises(ConnectionClosed) as caught:
            async for notification in client.notifications():
                received.append(notification.peer_closed.name)
        self.assertEqual(received, ["p0", "p1", "p2"])
        self.assertEqual(caught.exception.code, 1008)

    async def test_no_response_in_time_is_a_timeout(self):
        async def handler(websocket, *_):
            await websocket.wait_closed()  # reads nothing, answers nothing

        async with await Client.connect(await self.serve(handler), request_timeout=0.2) as client:
            with self.assertRaises(asyncio.TimeoutError):
                await client.query_room()


if __name__ == "__main__":
    unittest.main()
