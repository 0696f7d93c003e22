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

// One scenario, step by step: each step needs the ones before it.
describe('a room with several peers', () => {
  let room: Room;
  let url: string;
  const newPeers: string[] = [];
  let alice: ProtocolClient;
  let bob: ProtocolClient;
  let carol: ProtocolClient;
  let spy: ProtocolClient;

  beforeAll(async () => {
    room = await t.server.createRoom({ id: 'multi' });
    url = t.url('multi');
    room.on('newpeer', (peer: Peer) => newPeers.push(peer.name));
  });

  it('two publishers: each hears of the other and gets a consumer per producer', async () => {
    alice = await publisher(url, room, 'alice', 1000);
    bob = await publisher(url, room, 'bob', 2000);
    const bobInfo = await alice.waitFor('newPeer');
    expect(bobInfo.peer?.name).toBe('bob');
    expect(bobInfo.peer?.consumers).toEqual([]);
    await expect.poll(() => alice.received('newConsumer').length).toBe(2);
    expect(alice.received('newConsumer').every((n) => n.consumer?.peerName === 'bob')).toBe(true);
  });

  it('a joiner sees the peers with their appData and a consumer per producer in the join response, not as notifications', async () => {
    carol = await ProtocolClient.connect(url);
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
    expect(carol.received('newConsumer')).toEqual([]);
    await alice.waitFor('newPeer', (n) => n.peer?.name === 'carol');
    await bob.waitFor('newPeer', (n) => n.peer?.name === 'carol');
    expect(newPeers).toEqual(['alice', 'bob', 'carol']);
    expect(room.peers.map((p) => p.name)).toEqual(['alice', 'bob', 'carol']);
  });

  it('a spy sees everyone and is seen by no one', async () => {
    spy = await ProtocolClient.connect(url);
    const spyJoin = await spy.join('spy', room.rtpCapabilities, { spy: true });
    expect(spyJoin.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob', 'carol']);
    await new Promise((r) => setTimeout(r, 50));
    expect(alice.received('newPeer').map((n) => n.peer?.name)).toEqual(['bob', 'carol']);
  });

  it('the app pauses a producer: only its owner hears producerPaused, every viewer consumerPaused', async () => {
    room.getPeerByName('alice')!.getProducerById(2)!.pause();
    await alice.waitFor('producerPaused', (n) => n.id === 2);
    for (const viewer of [bob, carol, spy]) {
      await viewer.waitFor('consumerPaused', (n) => n.peerName === 'alice');
    }
    expect(bob.received('producerPaused')).toEqual([]);
    expect(alice.received('consumerPaused')).toEqual([]);
  });

  it('a client closes its producer: every viewer loses that consumer; the owner gets no echo', async () => {
    bob.notify({ closeProducer: { id: 1 } });
    for (const viewer of [alice, carol, spy]) {
      await viewer.waitFor('consumerClosed', (n) => n.peerName === 'bob');
      expect(viewer.received('consumerClosed').length).toBe(1);
    }
    expect(bob.received('consumerClosed')).toEqual([]);
  });

  it('a peer leaves: the others are told, with its appData; it is not', async () => {
    carol.notify({ leave: { appData: jsonToMessage('see you') } });
    for (const viewer of [alice, bob, spy]) {
      const closed = await viewer.waitFor('peerClosed');
      expect(closed.name).toBe('carol');
      expect(closed.appData?.stringValue).toBe('see you');
    }
  });

  it('the spy leaves unseen', async () => {
    spy.notify({ leave: {} });
    await expect.poll(() => room.getPeerByName('spy')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(alice.received('peerClosed').map((n) => n.name)).toEqual(['carol']);
  });

  it('closing the room closes everyone with a reason', async () => {
    const closed = new Promise<void>((resolve) => room.once('close', () => resolve()));
    room.close();
    await closed;
    for (const c of [alice, bob]) {
      expect((await c.waitFor('closed')).reason).toBe(pb.CloseReason.CLOSE_REASON_ROOM_CLOSED);
    }
    expect(t.server.getRoom('multi')).toBeUndefined();
  });
});

describe('a lost connection', () => {
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
