// What closes with what, and who is told: producer, transport, peer, room
// (mediasoup's own tests check the same cascades on its objects).
import { pb } from '@x/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Room, Server } from '../../src/index.js';
import {
  bodies,
  domainServer,
  heard,
  joinPeer,
  publisher,
  settle,
  viewer,
} from '../helpers/domain.js';

let server: Server;
let room: Room;
let pub: Awaited<ReturnType<typeof publisher>>;
let view: Awaited<ReturnType<typeof viewer>>;
let heardByPublisher: pb.ServerNotification[];
let heardByViewer: pb.ServerNotification[];

beforeAll(async () => {
  server = await domainServer({ rtcMinPort: 45100, rtcMaxPort: 45299 });
});
afterAll(() => server.close());

beforeEach(async () => {
  room?.close();
  room = await server.createRoom();
  pub = await publisher(room, 'alice');
  view = await viewer(room, 'bob');
  heardByPublisher = heard(pub.peer);
  heardByViewer = heard(view.peer);
});

describe('producer close', () => {
  it('by the app: its consumers close; the owner hears producerClosed, the viewers consumerClosed', () => {
    const consumer = view.peer.getConsumerOf(pub.video)!;
    const events: string[] = [];
    pub.video.on('close', (originator, appData) =>
      events.push(`${originator}:${JSON.stringify(appData)}`),
    );
    pub.video.close({ why: 'moderated' });
    expect(events).toEqual(['local:{"why":"moderated"}']);
    expect(pub.video.engine.closed).toBe(true);
    expect(consumer.closed).toBe(true);
    expect(pub.peer.getProducerById(2)).toBeUndefined();
    expect(pub.transport.producers).not.toContain(pub.video);
    expect(bodies(heardByPublisher, 'producerClosed')).toEqual([
      expect.objectContaining({ id: 2 }),
    ]);
    expect(bodies(heardByViewer, 'consumerClosed')).toEqual([
      expect.objectContaining({ id: consumer.id, peerName: 'alice' }),
    ]);
  });

  it('by its client: the owner is not told back', () => {
    pub.video.closeWith('remote');
    expect(pub.video.closed).toBe(true);
    expect(bodies(heardByPublisher, 'producerClosed')).toEqual([]);
    expect(bodies(heardByViewer, 'consumerClosed')).toHaveLength(1);
  });
});

describe('transport close', () => {
  it('closes its producers (and their consumers); the owner hears transportClosed, not producerClosed', () => {
    const closed: string[] = [];
    pub.audio.on('close', (originator) => closed.push(`audio:${originator}`));
    pub.video.on('close', (originator) => closed.push(`video:${originator}`));
    pub.transport.close({ why: 'app' });
    expect(closed.sort()).toEqual(['audio:local', 'video:local']);
    expect(pub.transport.engine.closed).toBe(true);
    expect(pub.peer.transports).toEqual([]);
    expect(pub.peer.producers).toEqual([]);
    expect(view.peer.consumers).toEqual([]);
    expect(bodies(heardByPublisher, 'transportClosed')).toEqual([
      expect.objectContaining({ id: 1 }),
    ]);
    expect(bodies(heardByPublisher, 'producerClosed')).toEqual([]);
    expect(bodies(heardByViewer, 'consumerClosed')).toHaveLength(2);
  });

  it('a receive transport leaves its consumers open, unhandled', async () => {
    const consumer = view.peer.getConsumerOf(pub.audio)!;
    await view.peer.enableConsumer(consumer.id, 1);
    view.transport.close();
    await settle();
    expect(consumer.closed).toBe(false);
    expect(consumer.enabled).toBe(false);
    expect(bodies(heardByViewer, 'transportClosed')).toHaveLength(1);
  });
});

describe('peer close', () => {
  it('closes what the peer owns; its client hears closed, the others peerClosed', () => {
    const producerEngine = pub.video.engine;
    const events: string[] = [];
    pub.peer.on('close', (originator, appData) =>
      events.push(`${originator}:${JSON.stringify(appData)}`),
    );
    pub.peer.close({ bye: 1 }, 'peer_closed', 'kicked by the app');
    expect(events).toEqual(['local:{"bye":1}']);
    expect(producerEngine.closed).toBe(true);
    expect(pub.transport.closed).toBe(true);
    expect(room.peers.map((p) => p.name)).toEqual(['bob']);
    expect(view.peer.consumers).toEqual([]);
    expect(bodies(heardByPublisher, 'closed')).toEqual([
      expect.objectContaining({
        reason: pb.CloseReason.CLOSE_REASON_PEER_CLOSED,
        message: 'kicked by the app',
      }),
    ]);
    expect(bodies(heardByViewer, 'peerClosed')).toEqual([
      expect.objectContaining({ name: 'alice' }),
    ]);
  });

  it('when its client leaves, it is not told back', () => {
    pub.peer.closeWith('remote');
    expect(pub.peer.closed).toBe(true);
    expect(bodies(heardByPublisher, 'closed')).toEqual([]);
    expect(bodies(heardByViewer, 'peerClosed')).toHaveLength(1);
  });

  it('a spy comes and goes unseen', async () => {
    const spy = await joinPeer(room, 'spy', true);
    expect(spy.consumers).toHaveLength(2);
    spy.close();
    expect(bodies(heardByViewer, 'newPeer')).toEqual([]);
    expect(bodies(heardByViewer, 'peerClosed')).toEqual([]);
  });
});

describe('room close', () => {
  it('closes every peer (told room_closed), its streamers and its router', async () => {
    let roomClosed = 0;
    room.on('close', () => roomClosed++);
    room.close();
    room.close();
    expect(roomClosed).toBe(1);
    expect(room.router.closed).toBe(true);
    expect(pub.peer.closed && view.peer.closed).toBe(true);
    for (const n of [heardByPublisher, heardByViewer]) {
      expect(bodies(n, 'closed')).toEqual([
        expect.objectContaining({ reason: pb.CloseReason.CLOSE_REASON_ROOM_CLOSED }),
      ]);
    }
    await expect(
      room.join({ name: 'late', rtpCapabilities: room.rtpCapabilities }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ROOM_CLOSED' }));
  });
});
