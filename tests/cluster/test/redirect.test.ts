// A full node sends joiners elsewhere: two nodes, the first takes one peer;
// the second joiner is refused NODE_UNAVAILABLE with the other node's URL,
// and an @x/client room follows it there by itself.
import { connect, RequestError, Room } from '@x/client';
import { ProtocolClient } from '@x/testkit';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type NodeProcess,
  type RedisProcess,
  startNode,
  startRedis,
  tokenFor,
} from '../src/harness.js';

const ROOM = 'busy';
let redis: RedisProcess;
let full: NodeProcess;
let spare: NodeProcess;
const clients: ProtocolClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
  full = await startNode({
    id: 'full',
    ip: '127.0.0.5',
    redis: redis.url,
    rtcMinPort: 45000,
    maxPeers: 1,
  });
  spare = await startNode({ id: 'spare', ip: '127.0.0.6', redis: redis.url, rtcMinPort: 46000 });
  // The full node knows of the spare one (it reads the registry at each heartbeat).
  for (let i = 0; i < 50; i++) {
    if ((await full.call<{ id: string }[]>('nodes')).length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([full, spare].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

function fakeRoom(): Room {
  return new Room({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
}

describe('a full node', () => {
  it('refuses a joiner NODE_UNAVAILABLE, naming the node to go to', async () => {
    const first = await ProtocolClient.connect(full.url(ROOM));
    clients.push(first);
    const token = await tokenFor(ROOM, 'first');
    await first.join('first', await first.queryRoom(token), { token });

    const room = fakeRoom();
    const connection = await connect(room, full.url(ROOM), {
      WebSocket: WebSocket as never,
      reconnect: false,
    });
    const error = await room
      .join('second', undefined, { token: await tokenFor(ROOM, 'second') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'NODE_UNAVAILABLE', redirectUrl: spare.url(ROOM) });
    expect((error as Error).message).toMatch(
      /this node is full \(1 peers\): join through node spare/,
    );
    connection.close();
  });

  it('an @x/client room follows the redirect and joins through the other node, seeing the first peer', async () => {
    const room = fakeRoom();
    const connection = await connect(room, full.url(ROOM), { WebSocket: WebSocket as never });
    const redirects: string[] = [];
    connection.on('redirected', (url) => redirects.push(url));
    const peers = await room.join('third', undefined, { token: await tokenFor(ROOM, 'third') });
    expect(redirects).toEqual([spare.url(ROOM)]);
    expect(connection.url).toBe(spare.url(ROOM));
    expect(peers.map((p) => p.name)).toEqual(['first']);
    const onSpare = await spare.call<{ peers: { name: string; node: string }[] }>('room', {
      room: ROOM,
    });
    expect(onSpare.peers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'third', node: 'spare' }),
        expect.objectContaining({ name: 'first', node: 'full' }),
      ]),
    );
    room.leave();
    connection.close();
  });
});
