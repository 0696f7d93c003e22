// A room with several peers: who sees what, and who is told what.
import { jsonToMessage, pb } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Peer, Room } from '../src/index.js';
import {
  audioParameters,
  message,
  startServer,
  type TestServer,
  videoParameters,
} from './helpers/fixtures.js';

const SEND = pb.TransportDirection.TRANSPORT_DIRECTION_SEND;

let t: TestServer;
beforeAll(async () => {
  t = await startServer();
});
afterAll(() => t.close());

async function publisher(url: string, room: Room, name: string, ssrcBase: number) {
  const client = await ProtocolClient.connect(url);
  await client.join(name, room.rtpCapabilities, {}, { displayName: name.toUpperCase() });
  await client.ok({ createTransport: { id: 1, direction: SEND } }, 'createTransport');
  await client.ok(
    {
      createProducer: {
        id: 1,
        kind: pb.MediaKind.MEDIA_KIND_AUDIO,
        transportId: 1,
        rtpParameters: message(audioParameters(ssrcBase)),
      },
    },
    'createProducer',
  );
  await client.ok(
    {
      createProducer: {
        id: 2,
        kind: pb.MediaKind.MEDIA_KIND_VIDEO,
        transportId: 1,
        rtpParameters: message(videoParameters(false, ssrcBase + 100)),
      },
    },
    'createProducer',
  );
  return client;
}

describe('a room with several peers', () => {
  it('a joiner sees the existing peers with a consumer per producer; notifications reach the right peers only', async () => {
    const room = await t.server.createRoom({ id: 'multi' });
    const url = t.url('multi');
    const newPeers: string[] = [];
    room.on('newpeer', (peer: Peer) => newPeers.push(peer.name));

    const alice = await publisher(url, room, 'alice', 1000);
    const bob = await publisher(url, room, 'bob', 2000);
    // alice learned of bob, and got a consumer for each of bob's producers.
    const bobInfo = await alice.waitFor('newPeer');
    expect(bobInfo.peer?.name).toBe('bob');
    expect(bobInfo.peer?.consumers).toEqual([]);
    await expect.poll(() => alice.received('newConsumer').length).toBe(2);
    expect(alice.received('newConsumer').every((n) => n.consumer?.peerName === 'bob')).toBe(true);

    // carol joins: she sees alice and bob, each with two consumers, in the join response.
    const carol = await ProtocolClient.connect(url);
    const joined = await carol.join('carol', room.rtpCapabilities);
    expect(joined.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    for (const peer of joined.peers) {
      expect(peer.consumers.map((c) => c.kind).sort()).toEqual([
        pb.MediaKind.MEDIA_KIND_AUDIO,
        pb.MediaKind.MEDIA_KIND_VIDEO,
      ]);
      expect(peer.consumers.every((c) => c.peerName === peer.name && c.supported)).toBe(true);
      expect(peer.appData?.objectValue?.members[0]?.value?.stringValue).toBe(
        peer.name.toUpperCase(),
      );
    }
    // ... and no newConsumer notifications for those: they came in the response.
    expect(carol.received('newConsumer')).toEqual([]);
    await alice.waitFor('newPeer', (n) => n.peer?.name === 'carol');
    await bob.waitFor('newPeer', (n) => n.peer?.name === 'carol');
    expect(newPeers).toEqual(['alice', 'bob', 'carol']);
    expect(room.peers.map((p) => p.name)).toEqual(['alice', 'bob', 'carol']);

    // A spy sees everyone and is seen by no one.
    const spy = await ProtocolClient.connect(url);
    const spyJoin = await spy.join('spy', room.rtpCapabilities, { spy: true });
    expect(spyJoin.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob', 'carol']);

    // The server pauses alice's video: only alice hears producerPaused; bob, carol and the spy get consumerPaused.
    const aliceVideo = room.getPeerByName('alice')!.getProducerById(2)!;
    aliceVideo.pause();
    await alice.waitFor('producerPaused', (n) => n.id === 2);
    for (const viewer of [bob, carol, spy]) {
      await viewer.waitFor('consumerPaused', (n) => n.peerName === 'alice');
    }
    expect(bob.received('producerPaused')).toEqual([]);
    expect(alice.received('consumerPaused')).toEqual([]);

    // bob closes his audio producer: alice, carol and the spy lose that consumer; bob gets no echo.
    bob.notify({ closeProducer: { id: 1 } });
    for (const viewer of [alice, carol, spy]) {
      await viewer.waitFor('consumerClosed', (n) => n.peerName === 'bob');
      expect(viewer.received('consumerClosed').length).toBe(1);
    }
    expect(bob.received('consumerClosed')).toEqual([]);

    // carol leaves: alice, bob (and the spy) are told, with her appData; carol herself is not.
    carol.notify({ leave: { appData: jsonToMessage('see you') } });
    for (const viewer of [alice, bob, spy]) {
      expect((await viewer.waitFor('peerClosed')).name).toBe('carol');
    }
    // The spy leaves: nobody is told.
    spy.notify({ leave: {} });
    await expect.poll(() => room.getPeerByName('spy')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(alice.received('peerClosed').map((n) => n.name)).toEqual(['carol']);

    // Closing the room closes everyone with a reason.
    const closed = new Promise<void>((resolve) => room.once('close', () => resolve()));
    room.close();
    await closed;
    for (const c of [alice, bob]) {
      expect((await c.waitFor('closed')).reason).toBe(pb.CloseReason.CLOSE_REASON_ROOM_CLOSED);
    }
    expect(t.server.getRoom('multi')).toBeUndefined();
  });

  it('a peer whose connection drops is kept for the grace period, then closed', async () => {
    const room = await t.server.createRoom({ id: 'drop' });
    const a = await ProtocolClient.connect(t.url('drop'));
    await a.join('a', room.rtpCapabilities);
    const b = await ProtocolClient.connect(t.url('drop'));
    await b.join('b', room.rtpCapabilities);
    a.socket.terminate();
    await new Promise((r) => setTimeout(r, 200));
    expect(room.getPeerByName('a')?.closed).toBe(false);
    room.getPeerByName('a')!.close();
    expect((await b.waitFor('peerClosed')).name).toBe('a');
    b.close();
    room.close();
  });
});
