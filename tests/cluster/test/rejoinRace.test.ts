// A peer whose node was killed rejoins through another node before every
// node has taken its old node for dead: the nodes read Redis on their own
// beats, so one of them may hear of the peer's new node while the old one
// still looks alive to it. Here node A waits longer than the others before
// it takes a silent node for dead (cluster.nodeTtlMs 8 s against 3 s), so
// the gap that a beat's worth of skew leaves in a real cluster is wide and
// certain: Dave's client, killed off node B, is back on node C (C took B for
// dead) while A still holds Dave of B. Alice, on A, must see the Dave of C
// and receive his microphone again, and keep him once A too takes B for dead.
import { type Consumer, connect, type Peer, Room } from '@x/client';
import { next, type RedisProcess, startRedis, type TcpProxy, tcpProxy } from '@x/testkit';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type NodeProcess, startNode, tokenFor } from '../src/harness.js';

const ROOM = 'rejoin-race';
const A_TTL_MS = 8000;
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
      reconnectDelays: [300, 500, 500, 1000, 1000, 1000, 1000, 2000],
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
    const killedAt = Date.now();
    await b.kill('SIGKILL');
    balancer.retarget({ host: c.ip, port: c.port });
    expect(await reconnected).toEqual(['rejoin']);
    // The race this test is about: Dave is on C while A still takes B for
    // alive (B's last beat was at most a heartbeat, 1 s, before the kill).
    const stillAlive = killedAt + A_TTL_MS - 1500;
    expect(Date.now()).toBeLessThan(stillAlive - 1000);

    // A takes the Dave of C in place of the Dave of B, and Alice receives his microphone again.
    await expect
      .poll(() => membersOn(a), { timeout: stillAlive - Date.now(), interval: 100 })
      .toEqual(['alice@ra:', 'dave@rc:audio']);
    await expect.poll(() => shown, { timeout: 5000 }).toEqual(['dave:audio', 'dave:audio']);
    expect(alice.getPeerByName('dave')?.consumers.filter((c) => !c.closed).length).toBe(1);

    // Once A too takes B for dead, it lets go of what was B's, not of the Dave of C.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + A_TTL_MS + 2500 - Date.now())));
    expect(await membersOn(a)).toEqual(['alice@ra:', 'dave@rc:audio']);
    expect(alice.getPeerByName('dave')?.consumers.filter((c) => !c.closed).length).toBe(1);
    expect(shown).toEqual(['dave:audio', 'dave:audio']);
  });
});
