// A peer whose node was killed rejoins through another node before every
// node has taken its old node for dead: the nodes read Redis on beats of
// their own, so one of them may hear of the peer's new node while the old
// one still looks alive to it (a window of up to a heartbeat in a real
// cluster). Here that window is wide and certain: node A has a TTL of 15 s
// (3 s for B and C) and has just started, and a node that has just
// connected to Redis keeps the nodes it saw for a TTL (it gives them a TTL
// to tell it again), so A takes B for alive for seconds after C took it for
// dead. Dave's client, killed off node B, is back on node C while A still
// holds Dave of B. Alice, on A, must see the Dave of C and receive his
// microphone again, and keep him once A too takes B for dead.
import { type Consumer, connect, type Peer, Room } from '@x/client';
import { next, type RedisProcess, startRedis, type TcpProxy, tcpProxy } from '@x/testkit';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type NodeProcess, startNode, tokenFor } from '../src/harness.js';

const ROOM = 'rejoin-race';
const A_TTL_MS = 15_000;
let redis: RedisProcess;
let a: NodeProcess;
let b: NodeProcess;
let c: NodeProcess;
let balancer: TcpProxy;
const rooms: Room[] = [];

beforeAll(async () => {
  redis = await startRedis();
  a = await startNode({
    id: 'ra',
    ip: '127.0.0.30',
    redis: redis.url,
    rtcMinPort: 50000,
    nodeTtlMs: A_TTL_MS,
  });
  b = await startNode({ id: 'rb', ip: '127.0.0.31', redis: redis.url, rtcMinPort: 51000 });
  c = await startNode({ id: 'rc', ip: '127.0.0.32', redis: redis.url, rtcMinPort: 52000 });
  balancer = await tcpProxy({ host: b.ip, port: b.port });
});

afterAll(async () => {
  for (const room of rooms) room.leave();
  await balancer?.close();
  await Promise.all([a, b, c].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

type RoomState = {
  peers: { name: string; node: string; producers: { id: number; kind: string }[] }[];
} | null;

const membersOn = async (node: NodeProcess) =>
  ((await node.call<RoomState>('room', { room: ROOM }))?.peers ?? [])
    .map((p) => `${p.name}@${p.node}:${p.producers.map((x) => x.kind).join(',')}`)
    .sort();

function newRoom(): Room {
  const room = new Room({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
  rooms.push(room);
  return room;
}

describe('a peer rejoins through another node before this node takes its old node for dead', () => {
  it('the node that still holds the old peer takes the new one, its media included, and keeps it', async () => {
    // Alice on node A: shows every consumer she is given, and of which peer.
    const alice = newRoom();
    await connect(alice, a.url(ROOM), { WebSocket: WebSocket as never });
    const present = await alice.join('alice', undefined, { token: await tokenFor(ROOM, 'alice') });
    const recv = alice.createTransport('recv');
    const shown: string[] = [];
    const show = async (consumer: Consumer) => {
      if (!consumer.supported) return;
      const track = await consumer.receive(recv);
      shown.push(`${consumer.peer.name}:${track.kind}`);
    };
    const receivePeer = (peer: Peer) => {
      peer.consumers.forEach(show);
      peer.on('newconsumer', show);
    };
    present.forEach(receivePeer);
    alice.on('newpeer', receivePeer);

    // Dave through the balancer (node B), with his microphone.
    const dave = newRoom();
    const connection = await connect(dave, `ws://127.0.0.1:${balancer.port}/?roomId=${ROOM}`, {
      WebSocket: WebSocket as never,
      // Tried again every 250 ms: refused while C takes B for alive (Dave's name is B's).
      reconnectDelays: Array<number>(40).fill(250),
    });
    await dave.join('dave', undefined, { token: await tokenFor(ROOM, 'dave') });
    const mic = dave.createProducer(
      new FakeMediaStreamTrack({ kind: 'audio' }) as unknown as Parameters<
        Room['createProducer']
      >[0],
    );
    await mic.send(dave.createTransport('send'));
    await expect.poll(() => shown, { timeout: 10_000 }).toEqual(['dave:audio']);
    expect(await membersOn(a)).toEqual(['alice@ra:', 'dave@rb:audio']);

    const reconnected = next<['resume' | 'rejoin']>(connection, 'reconnected', 30_000);
    await b.kill('SIGKILL');
    balancer.retarget({ host: c.ip, port: c.port });
    expect(await reconnected).toEqual(['rejoin']);

    // A takes the Dave of C in place of the Dave of B, and Alice receives his microphone again.
    await expect
      .poll(() => membersOn(a), { timeout: 5000, interval: 100 })
      .toEqual(['alice@ra:', 'dave@rc:audio']);
    await expect.poll(() => shown, { timeout: 5000 }).toEqual(['dave:audio', 'dave:audio']);
    expect(alice.getPeerByName('dave')?.consumers.filter((c) => !c.closed).length).toBe(1);

    // Once A too takes B for dead, it lets go of what was B's, not of the Dave of C.
    await expect
      .poll(() => a.call<string[]>('events'), { timeout: A_TTL_MS, interval: 250 })
      .toContain('nodedown:rb');
    // The race this test is about did happen: A heard of the Dave of C before it took B for dead.
    const seen = await a.call<string[]>('events');
    expect(
      seen.indexOf(`newpeer:${ROOM}:dave:rc`),
      `A's events, in order: ${seen.join(', ')}`,
    ).toBeLessThan(seen.indexOf('nodedown:rb'));
    expect(await membersOn(a)).toEqual(['alice@ra:', 'dave@rc:audio']);
    expect(alice.getPeerByName('dave')?.consumers.filter((c) => !c.closed).length).toBe(1);
    expect(shown).toEqual(['dave:audio', 'dave:audio']);
  });
});
