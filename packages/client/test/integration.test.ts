// The real @x/server (real mediasoup worker) and two @x/client rooms on the
// FakeHandler, over the real WebSocket connector.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Consumer,
  connect,
  type Peer,
  type Producer,
  type Room,
  type RoomConnection,
} from '../src/index.js';
import { audioTrack, fakeRoom, next, startWorld, videoTrack, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

async function client(roomId: string): Promise<{ room: Room; connection: RoomConnection }> {
  const room = fakeRoom();
  const connection = await connect(room, world.url(roomId), { WebSocket: WebSocket as never });
  return { room, connection };
}

describe('two clients over the WebSocket connector', () => {
  // One call, step by step: each case goes on from where the previous one left it.
  let alice: { room: Room; connection: RoomConnection };
  let bob: { room: Room; connection: RoomConnection };
  let aliceSeenByBob: Peer;
  let producer: Producer;
  let consumer: Consumer;

  it('join: the second gets the first with its appData; the first hears of the second', async () => {
    alice = await client('integration');
    bob = await client('integration');
    expect(await alice.room.join('alice', { displayName: 'Alice' })).toEqual([]);
    const bobPeers = await bob.room.join('bob');
    expect(bobPeers.map((p) => p.name)).toEqual(['alice']);
    aliceSeenByBob = bobPeers[0]!;
    expect(aliceSeenByBob.appData).toEqual({ displayName: 'Alice' });
    await expect.poll(() => alice.room.peers.map((p) => p.name)).toEqual(['bob']);
  });

  it('a producer of one is a consumer of the other, received with its track', async () => {
    const newConsumer = next<[Consumer]>(aliceSeenByBob, 'newconsumer');
    const sendTransport = alice.room.createTransport('send');
    producer = alice.room.createProducer(videoTrack(), { simulcast: true }, { source: 'webcam' });
    await producer.send(sendTransport);
    [consumer] = await newConsumer;
    expect(consumer.kind).toBe('video');
    expect(consumer.peer).toBe(aliceSeenByBob);
    expect(consumer.appData).toEqual({ source: 'webcam' });
    expect(consumer.supported).toBe(true);
    expect(consumer.simulcast).toBe(true);

    const recvTransport = bob.room.createTransport('recv');
    const track = await consumer.receive(recvTransport);
    expect(track.kind).toBe('video');
    expect(consumer.track).toBe(track);
    expect(consumer.rtpParameters?.codecs[0]?.mimeType).toMatch(/video\/VP8/i);
    expect(consumer.transport).toBe(recvTransport);
  });

  it("a local pause on one side is a remote pause on the other's consumer", async () => {
    const remotePause = next(consumer, 'pause');
    producer.pause({ why: 'mute' });
    expect(await remotePause).toEqual(['remote', { why: 'mute' }]);
    expect(consumer.remotelyPaused).toBe(true);
    const remoteResume = next(consumer, 'resume');
    producer.resume();
    await remoteResume;
    expect(consumer.paused).toBe(false);
  });

  it('closing the producer closes the remote consumer', async () => {
    const consumerClosed = next(consumer, 'close');
    producer.close();
    expect(await consumerClosed).toEqual(['remote']);
    expect(aliceSeenByBob.consumers).toEqual([]);
  });

  it('leaving removes the peer on the other side and closes the connection', async () => {
    const peerClosed = next<[string, unknown]>(aliceSeenByBob, 'close');
    const left = next(alice.room, 'close');
    alice.room.leave({ bye: true });
    expect(await left).toEqual(['local', { bye: true }, undefined]);
    expect(await peerClosed).toEqual(['remote', { bye: true }]);
    expect(bob.room.peers).toEqual([]);
    expect(alice.room.closed).toBe(true);
    await expect.poll(() => alice.connection.state).toBe('closed');
    bob.room.leave();
  });

  it('a late joiner receives every producer of a peer already in the room', async () => {
    const alice = await client('late');
    await alice.room.join('alice');
    const transport = alice.room.createTransport('send');
    await alice.room.createProducer(audioTrack()).send(transport);
    await alice.room.createProducer(videoTrack()).send(transport);
    const carol = await client('late');
    const [peer] = (await carol.room.join('carol')) as [Peer];
    expect(peer.consumers.map((c) => c.kind).sort()).toEqual(['audio', 'video']);
    const recv = carol.room.createTransport('recv');
    const tracks = await Promise.all(peer.consumers.map((c) => c.receive(recv)));
    expect(tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    const serverPeer = (await world.room('late')).getPeerByName('carol')!;
    await expect
      .poll(() => serverPeer.consumers.every((c) => c.enabled && c.engine?.paused === false))
      .toBe(true);
    alice.room.leave();
    carol.room.leave();
  });
});
