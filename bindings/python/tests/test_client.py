"""The asyncio client against a real x SFU server with access tokens.

The test runner (test/python.test.ts) starts the server and passes:
X_SERVER_URL (ws://host:port) and X_TOKENS (JSON: peer name to a token
for room "unit"; "py-elsewhere" has one for room "elsewhere"). The server
lets clients use plain RTP with 127.0.0.0/8; only py-a's token allows it.
"""

import asyncio
import json
import os
import unittest

from x_signaling import Client, ConnectionClosed, ErrorCode, ServerError
from x_signaling.v1 import requests_pb2, transport_pb2


def settings():
    url, tokens = os.environ.get("X_SERVER_URL"), os.environ.get("X_TOKENS")
    if not url or not tokens:
        raise RuntimeError("X_SERVER_URL and X_TOKENS must be set: run through test/python.test.ts")
    return url, json.loads(tokens)


class ClientTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        base, self.tokens = settings()
        self.url = f"{base}/?roomId=unit"

    async def join(self, name, **options):
        client = await Client.connect(self.url)
        try:
            room = await client.query_room(self.tokens[name])
            joined = await client.join(name, rtp_capabilities=room.rtp_capabilities, token=self.tokens[name], **options)
        except BaseException:
            await client.close()
            raise
        return client, joined

    async def test_query_room_before_joining_with_a_token(self):
        async with await Client.connect(self.url) as client:
            with self.assertRaises(ServerError) as caught:
                await client.query_room()
            self.assertEqual(caught.exception.code, ErrorCode.ERROR_CODE_UNAUTHENTICATED)
            self.assertEqual(caught.exception.request, "query_room")
            room = await client.query_room(self.tokens["py-b"])
            mime_types = {codec.mime_type for codec in room.rtp_capabilities.codecs}
            self.assertIn("video/VP8", mime_types)
            self.assertIn("audio/opus", mime_types)

    async def test_join_needs_a_token_and_the_connection_goes_on(self):
        async with await Client.connect(self.url) as client:
            room = await client.query_room(self.tokens["py-a"])
            with self.assertRaises(ServerError) as caught:
                await client.join("py-a", rtp_capabilities=room.rtp_capabilities)
            self.assertEqual(caught.exception.code, ErrorCode.ERROR_CODE_UNAUTHENTICATED)
            self.assertEqual(caught.exception.request, "join")
            with self.assertRaises(ServerError) as caught:
                await client.join("py-a", rtp_capabilities=room.rtp_capabilities, token=self.tokens["py-b"])
            self.assertEqual(caught.exception.code_name, "FORBIDDEN")
            with self.assertRaises(ServerError) as caught:
                await client.join("py-elsewhere", rtp_capabilities=room.rtp_capabilities, token=self.tokens["py-elsewhere"])
            self.assertEqual(caught.exception.code_name, "FORBIDDEN")
            self.assertIn("elsewhere", caught.exception.message)
            joined = await client.join("py-a", rtp_capabilities=room.rtp_capabilities, token=self.tokens["py-a"])
            self.assertTrue(joined.session_id)
            await client.leave()
            self.assertTrue(client.closed)

    async def test_requests_before_joining_fail_with_not_joined(self):
        async with await Client.connect(self.url) as client:
            with self.assertRaises(ServerError) as caught:
                await client.create_plain_transport(remote_ip="127.0.0.1", remote_port=9)
            self.assertEqual(caught.exception.code, ErrorCode.ERROR_CODE_NOT_JOINED)

    async def test_notifications_of_other_peers(self):
        a, joined_a = await self.join("py-a", app_data={"lang": "python", "n": 1})
        try:
            b, joined_b = await self.join("py-b")
            self.assertEqual([p.name for p in joined_b.peers], ["py-a"])
            new_peer = await a.wait_for("new_peer")
            self.assertEqual(new_peer.peer.name, "py-b")
            await b.leave(app_data={"bye": True})
            closed = await a.wait_for("peer_closed", lambda n: n.name == "py-b")
            self.assertEqual(closed.name, "py-b")
        finally:
            await a.leave()

    async def test_server_errors_carry_the_field(self):
        client, _ = await self.join("py-a")
        try:
            with self.assertRaises(ServerError) as caught:
                await client.request(enable_consumer=requests_pb2.EnableConsumerRequest(id=12345, transport_id=1))
            self.assertEqual(caught.exception.code, ErrorCode.ERROR_CODE_NOT_FOUND)
            transport = await client.create_plain_transport(remote_ip="127.0.0.1", remote_port=40000, rtcp_port=40001)
            self.assertEqual(transport.local_ip, "127.0.0.1")
            self.assertGreater(transport.local_port, 0)
            self.assertGreater(transport.local_rtcp_port, 0)
            with self.assertRaises(ServerError) as caught:
                await client.request(
                    create_transport=requests_pb2.CreateTransportRequest(
                        id=transport.id, direction=transport_pb2.TRANSPORT_DIRECTION_SEND
                    )
                )
            self.assertEqual(caught.exception.code_name, "ALREADY_EXISTS")
        finally:
            await client.leave()

    async def test_plain_rtp_needs_the_token_permission(self):
        client, _ = await self.join("py-b")
        try:
            with self.assertRaises(ServerError) as caught:
                await client.create_plain_transport(remote_ip="127.0.0.1", remote_port=40000, rtcp_port=40001)
            self.assertEqual(caught.exception.code, ErrorCode.ERROR_CODE_FORBIDDEN)
            self.assertIn("canUsePlainRtp", caught.exception.message)
        finally:
            await client.leave()

    async def test_plain_rtp_only_to_allowed_networks(self):
        client, _ = await self.join("py-a")
        try:
            with self.assertRaises(ServerError) as caught:
                await client.create_plain_transport(remote_ip="192.0.2.1", remote_port=40000)
            self.assertEqual(caught.exception.code_name, "FORBIDDEN")
            self.assertEqual(caught.exception.field, "plainRtpParameters.ip")
        finally:
            await client.leave()

    async def test_requests_after_close_raise_connection_closed(self):
        client = await Client.connect(self.url)
        await client.close()
        with self.assertRaises(ConnectionClosed):
            await client.query_room()
        notifications = [n async for n in client.notifications()]
        self.assertEqual(notifications, [])

    async def test_a_taken_peer_name_is_refused(self):
        client, _ = await self.join("py-a")
        try:
            with self.assertRaises(ServerError) as caught:
                await self.join("py-a")
            self.assertEqual(caught.exception.code, ErrorCode.ERROR_CODE_PEER_NAME_TAKEN)
        finally:
            await client.leave()


if __name__ == "__main__":
    unittest.main()
