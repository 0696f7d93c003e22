// A real server for the protocol tests: fresh rooms, protocol clients joined
// to them, send transports.
import { pb } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll } from 'vitest';
import type { Room } from '../../src/index.js';
import { startServer, type TestServer } from './fixtures.js';

/** The server of one test file (started before its tests, closed after), and its helpers. */
export function protocolWorld(prefix: string) {
  let t: TestServer;
  let room: Room;
  let roomId = 0;
  beforeAll(async () => {
    t = await startServer();
  });
  afterAll(() => t.close());
  return {
    /** The room of the last `freshRoom()`. */
    get room(): Room {
      return room;
    },
    get server(): TestServer {
      return t;
    },
    /** A new room; resolves with its signaling URL. */
    async freshRoom(): Promise<string> {
      const id = `${prefix}-${++roomId}`;
      room = await t.server.createRoom({ id });
      return t.url(id);
    },
    /** A protocol client joined to the last fresh room. */
    async joined(url: string, name: string, extra: Partial<pb.JoinRequest.$Properties> = {}) {
      const client = await ProtocolClient.connect(url);
      await client.join(name, room.rtpCapabilities, extra);
      return client;
    },
    /** A send transport of `client`. */
    sendTransport(client: ProtocolClient, id = 1) {
      return client.ok(
        { createTransport: { id, direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND } },
        'createTransport',
      );
    },
    /** A producer of `client` on its send transport 1. */
    produce(
      client: ProtocolClient,
      producer: Omit<pb.CreateProducerRequest.$Properties, 'transportId'>,
    ) {
      return client.ok({ createProducer: { transportId: 1, ...producer } }, 'createProducer');
    },
  };
}
