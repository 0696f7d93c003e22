// Consumer: enable/start, and every pause combination (the server app, its
// client, its producer), with what the worker does and what the client hears.
import { pb } from '@x/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Consumer, InvalidStateError, type Room, type Server } from '../../src/index.js';
import { bodies, domainServer, heard, publisher, settle, viewer } from '../helpers/domain.js';

let server: Server;
let room: Room;
let pub: Awaited<ReturnType<typeof publisher>>;
let view: Awaited<ReturnType<typeof viewer>>;
let heardByViewer: pb.ServerNotification[];
let consumer: Consumer;

beforeAll(async () => {
  server = await domainServer();
});
afterAll(() => server.close());

beforeEach(async () => {
  room?.close();
  room = await server.createRoom();
  pub = await publisher(room, 'alice');
  view = await viewer(room, 'bob');
  heardByViewer = heard(view.peer);
  consumer = view.peer.getConsumerOf(pub.video)!;
});

describe('Consumer lifecycle', () => {
  it('exists from the join, disabled, receiving nothing', () => {
    expect(consumer.source).toBe(pub.video);
    expect(consumer.peer).toBe(view.peer);
    expect(consumer.kind).toBe('video');
    expect(consumer.supported).toBe(true);
    expect(consumer.enabled).toBe(false);
    expect(consumer.transport).toBeUndefined();
    expect(consumer.rtpParameters).toBeUndefined();
    expect(consumer.effectiveProfile).toBe('none');
    expect(consumer.paused).toBe(false);
  });

  it('enable creates the engine consumer paused; start lets media flow', async () => {
    let handled = 0;
    consumer.on('handled', () => handled++);
    await view.peer.enableConsumer(consumer.id, view.transport.id);
    expect(handled).toBe(1);
    expect(consumer.enabled).toBe(true);
    expect(consumer.transport).toBe(view.transport);
    expect(view.transport.consumers).toContain(consumer);
    expect(consumer.rtpParameters?.codecs[0]?.mimeType).toBe('video/VP8');
    expect(consumer.engine!.paused).toBe(true);
    view.peer.startConsumer(consumer.id);
    await settle();
    expect(consumer.engine!.paused).toBe(false);
  });

  it('cannot be started before it is enabled', () => {
    expect(() => view.peer.startConsumer(consumer.id)).toThrow(InvalidStateError);
  });

  it('goes unhandled when its transport closes, and can be enabled on another', async () => {
    await view.peer.enableConsumer(consumer.id, 1);
    let unhandled = 0;
    consumer.on('unhandled', () => unhandled++);
    view.transport.close();
    await settle();
    expect(unhandled).toBe(1);
    expect(consumer.enabled).toBe(false);
    expect(consumer.closed).toBe(false);
    await view.peer.createWebRtcTransport({ id: 2, direction: 'recv' });
    await view.peer.enableConsumer(consumer.id, 2);
    expect(consumer.transport?.id).toBe(2);
  });

  it('close() closes the engine consumer, emits close once and tells its client', async () => {
    await view.peer.enableConsumer(consumer.id, 1);
    const engine = consumer.engine!;
    let closes = 0;
    consumer.on('close', () => closes++);
    consumer.close();
    consumer.close();
    expect(closes).toBe(1);
    expect(engine.closed).toBe(true);
    expect(view.peer.getConsumerById(consumer.id)).toBeUndefined();
    expect(bodies(heardByViewer, 'consumerClosed')).toEqual([
      expect.objectContaining({ id: consumer.id, peerName: 'alice' }),
    ]);
    expect(() => consumer.pause()).toThrow(InvalidStateError);
    expect(() => consumer.setPreferredProfile('low')).toThrow(InvalidStateError);
  });
});

type Who = 'local' | 'remote' | 'source';

const pause: Record<Who, () => void> = {
  local: () => consumer.pause({ why: 'app' }),
  remote: () => consumer.setRemotelyPaused(true, { why: 'client' }),
  source: () => pub.video.pause({ why: 'producer' }),
};
const resume: Record<Who, () => void> = {
  local: () => consumer.resume({ why: 'app' }),
  remote: () => consumer.setRemotelyPaused(false, { why: 'client' }),
  source: () => pub.video.resume({ why: 'producer' }),
};
const flag: Record<Who, () => boolean> = {
  local: () => consumer.locallyPaused,
  remote: () => consumer.remotelyPaused,
  source: () => consumer.sourcePaused,
};
/** What the client hears of a pause: the server's and the producer's, not its own. */
const told: Record<Who, pb.PauseOriginator | undefined> = {
  local: pb.PauseOriginator.PAUSE_ORIGINATOR_SERVER,
  remote: undefined,
  source: pb.PauseOriginator.PAUSE_ORIGINATOR_SOURCE,
};

describe.each(['local', 'remote', 'source'] as const)('paused by %s', (who) => {
  it.each([true, false])('started %s: flags, events, engine and notifications', async (started) => {
    await view.peer.enableConsumer(consumer.id, 1);
    if (started) view.peer.startConsumer(consumer.id);
    await settle();
    const events: string[] = [];
    consumer.on('pause', (originator, appData) =>
      events.push(`pause:${originator}:${JSON.stringify(appData)}`),
    );
    consumer.on('resume', (originator) => events.push(`resume:${originator}`));

    pause[who]();
    await settle();
    expect(consumer.paused).toBe(true);
    expect(flag[who]()).toBe(true);
    expect(consumer.engine!.paused || consumer.engine!.producerPaused).toBe(true);
    expect(events[0]).toMatch(new RegExp(`^pause:${who}:`));
    const paused = bodies(heardByViewer, 'consumerPaused');
    if (told[who] === undefined) expect(paused).toEqual([]);
    else
      expect(paused).toEqual([
        expect.objectContaining({ id: consumer.id, peerName: 'alice', originator: told[who] }),
      ]);

    resume[who]();
    await settle();
    expect(consumer.paused).toBe(false);
    expect(flag[who]()).toBe(false);
    // Media flows again only once the client's receiver was started.
    expect(consumer.engine!.paused).toBe(!started);
    expect(events).toEqual([expect.stringMatching(`^pause:${who}`), `resume:${who}`]);
    expect(bodies(heardByViewer, 'consumerResumed')).toHaveLength(told[who] === undefined ? 0 : 1);
  });
});

describe('pauses that overlap', () => {
  it('a producer resuming does not resume a consumer the app paused, nor tell its client so', async () => {
    await view.peer.enableConsumer(consumer.id, 1);
    view.peer.startConsumer(consumer.id);
    consumer.pause();
    pub.video.pause();
    pub.video.resume();
    await settle();
    expect(consumer.paused).toBe(true);
    expect(consumer.engine!.paused).toBe(true);
    // One pause told (the app's); the producer's pause and resume are not news to a paused client.
    expect(bodies(heardByViewer, 'consumerPaused')).toHaveLength(1);
    expect(bodies(heardByViewer, 'consumerResumed')).toHaveLength(0);
    consumer.resume();
    await settle();
    expect(consumer.engine!.paused).toBe(false);
    expect(bodies(heardByViewer, 'consumerResumed')).toHaveLength(1);
  });

  it('pause() and resume() say whether they changed anything', () => {
    expect(consumer.pause()).toBe(true);
    expect(consumer.pause()).toBe(false);
    expect(consumer.resume()).toBe(true);
    expect(consumer.resume()).toBe(false);
  });

  it('a paused consumer announced to a new viewer carries paused = true', async () => {
    pub.video.pause();
    const late = await viewer(room, 'carol');
    const c = late.peer.getConsumerOf(pub.video)!;
    expect(c.paused).toBe(true);
    expect(c.pausedByServer).toBe(true);
  });
});
