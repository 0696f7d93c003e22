// A node killed under its clients (SIGKILL: no drain, no redirect). Clients
// reach the cluster through one address (a TCP proxy standing for a load
// balancer, which sends new connections to a live node once the first
// died). Dave runs the client README's main flow, unchanged: one receive
// transport created once, and every consumer received on it. After the kill
// his connection comes back through the balancer on the other node, the
// session is unknown there, so it joins again: the same receive transport
// (re-created on the new node) receives the camera again.
import { type Consumer, connect, type Peer, Room } from '@x/client';
import { next, type RedisProcess, startRedis, type TcpProxy, tcpProxy } from '@x/testkit';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type NodeProcess, startNode, tokenFor } from '../src/harness.js';

const ROOM = 'killed';
let redis: RedisProcess;
let b: NodeProcess;
let c: NodeProcess;
let balancer: TcpProxy;

beforeAll(async () => {
  redis = await startRedis();
  b = await startNode({ id: 'kb', ip: '127.0.0.15', redis: redis.url, rtcMinPort: 55000 });
  c = await startNode({ id: 'kc', ip: '127.0.0.16', redis: redis.url, rtcMinPort: 56000 });
  balancer = await tcpProxy({ host: b.ip, port: b.port });
});

afterAll(async () => {
  await balancer?.close();
  await Promise.all([b, c].filter(Boolean).map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

type RoomState = {
  peers: {
    name: string;
    node: string;
    producers: { id: number; kind: string; paused: boolean }[];
    enabled: { from: string; transport?: number }[];
  }[];
} | null;

describe('a node killed under its clients', () => {
  it('the client README flow receives again, on the receive transport it created once', async () => {
    // The camera: an RTP ingest on node C.
    await c.call('ingest', {
      room: ROOM,
      peer: 'cam',
      kind: 'audio',
      payloadType: 100,
      ssrc: 7777,
    });

    // Dave, through the balancer (node B), exactly as the README's main example.
    const room = new Room({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
    const connection = await connect(room, `ws://127.0.0.1:${balancer.port}/?roomId=${ROOM}`, {
      WebSocket: WebSocket as never,
      reconnectDelays: [300, 500, 500, 1000, 1000, 2000, 2000],
    });
    const peers = await room.join('dave', undefined, { token: await tokenFor(ROOM, 'dave') });
    const recv = room.createTransport('recv');
    const shown: string[] = [];
    async function show(consumer: Consumer) {
      if (!consumer.supported) return;
      const track = await consumer.receive(recv);
      shown.push(`${consumer.peer.name}:${track.kind}`);
    }
    function receivePeer(peer: Peer) {
      peer.consumers.forEach(show);
      peer.on('newconsumer', show);
    }
    peers.forEach(receivePeer);
    room.on('newpeer', receivePeer);
    const send = room.createTransport('send');
    const mic = room.createProducer(
      new FakeMediaStreamTrack({ kind: 'audio' }) as unknown as Parameters<
        Room['createProducer']
      >[0],
    );
    await mic.send(send);

    await expect.poll(() => shown, { timeout: 10_000 }).toEqual(['cam:audio']);
    const onB = await b.call<RoomState>('room', { room: ROOM });
    expect(onB?.peers.find((p) => p.name === 'dave')?.enabled).toEqual([
      { from: 'cam', transport: recv.id },
    ]);

    const reconnected = next<['resume' | 'rejoin']>(connection, 'reconnected', 30_000);
    await b.kill('SIGKILL');
    balancer.retarget({ host: c.ip, port: c.port });
    expect(await reconnected).toEqual(['rejoin']);

    // On node C now: the camera received again, on the same receive transport.
    await expect.poll(() => shown, { timeout: 15_000 }).toEqual(['cam:audio', 'cam:audio']);
    expect(recv.closed).toBe(false);
    await expect
      .poll(
        async () =>
          (await c.call<RoomState>('room', { room: ROOM }))?.peers.find((p) => p.name === 'dave')
            ?.enabled,
        { timeout: 10_000 },
      )
      .toEqual([{ from: 'cam', transport: recv.id }]);
    // His microphone went again too, on the send transport he holds (the
    // first attempts were refused while node B's claim on his name lived).
    const onC = await c.call<RoomState>('room', { room: ROOM });
    expect(onC?.peers.find((p) => p.name === 'dave')?.producers).toEqual([
      { id: mic.id, kind: 'audio', paused: false },
    ]);
    expect(mic.transport).toBe(send);
    room.leave();
    connection.close();
  });
});
