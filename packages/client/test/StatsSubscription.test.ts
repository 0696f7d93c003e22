// StatsSubscription: the one stats helper of transports, producers and
// consumers. It runs on a room's real SignalClient linked to a real
// @x/server; what it sends is read off the room's `notify` events (the wire).
import type { ClientNotification } from '@x/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Room, Transport } from '../src/index.js';
import { StatsSubscription } from '../src/room/StatsSubscription.js';
import { audioTrack, fakeRoom, link, next, startWorld, tick, type World } from './helpers/world.js';

let world: World;
let room: Room;
let transport: Transport;
let sent: ClientNotification[];
let refused: string[];
let n = 0;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

beforeEach(async () => {
  room = fakeRoom();
  link(world, room, `stats-${++n}`);
  await room.join('me');
  transport = room.createTransport('send');
  await room.createProducer(audioTrack()).send(transport);
  sent = [];
  room.on('notify', (notification) => sent.push(notification));
  refused = [];
  room.on('notificationerror', (error, notification) =>
    refused.push(`${notification}: ${error.code}`),
  );
});

/** Lets the server answer what was sent (a refusal comes back as `notificationerror`). */
const settle = () => tick(50);

/** What went out, as [body, id, intervalMs?]. */
const wire = () =>
  sent.map((m) => {
    const body = m[m.body!] as { id: number; intervalMs?: number };
    return body.intervalMs === undefined ? [m.body, body.id] : [m.body, body.id, body.intervalMs];
  });

const subscription = () => new StatsSubscription(room.signal, 'transport', transport.id);

describe('StatsSubscription', () => {
  it('enabled before the object exists on the server: sent when it is attached', async () => {
    const s = subscription();
    s.enable(2000);
    expect(s.interval).toBe(2000);
    expect(wire()).toEqual([]);
    s.attach();
    expect(wire()).toEqual([['enableTransportStats', transport.id, 2000]]);
    await settle();
    expect(refused).toEqual([]);
  });

  it('attached: enable() is sent at once, and again for a new interval', () => {
    const s = subscription();
    s.attach();
    expect(wire()).toEqual([]); // nothing asked yet
    s.enable(1000);
    s.enable(3000);
    expect(wire()).toEqual([
      ['enableTransportStats', transport.id, 1000],
      ['enableTransportStats', transport.id, 3000],
    ]);
  });

  it('disable() is sent once, and only for a live subscription', async () => {
    const s = subscription();
    s.attach();
    s.disable(); // never enabled: nothing to undo
    s.enable(1000);
    s.disable();
    s.disable();
    expect(s.interval).toBeUndefined();
    expect(wire()).toEqual([
      ['enableTransportStats', transport.id, 1000],
      ['disableTransportStats', transport.id],
    ]);
    await settle();
    expect(refused).toEqual([]);
  });

  it('detached (closed, or its transport gone): nothing is sent; attached again, it resubscribes', () => {
    const s = subscription();
    s.enable(1000);
    s.attach();
    s.detach();
    s.enable(5000);
    s.disable();
    s.enable(4000);
    expect(wire()).toEqual([['enableTransportStats', transport.id, 1000]]);
    s.attach();
    expect(wire()).toEqual([
      ['enableTransportStats', transport.id, 1000],
      ['enableTransportStats', transport.id, 4000],
    ]);
  });

  it('the targets map to their messages', async () => {
    const signal = room.signal;
    for (const target of ['transport', 'producer', 'consumer'] as const) {
      const s = new StatsSubscription(signal, target, 77);
      s.attach();
      s.enable(1000);
      s.disable();
    }
    expect(wire().map(([body]) => body)).toEqual([
      'enableTransportStats',
      'disableTransportStats',
      'enableProducerStats',
      'disableProducerStats',
      'enableConsumerStats',
      'disableConsumerStats',
    ]);
    // Id 77 exists nowhere: the server refuses each, naming the message it got.
    await settle();
    expect(refused).toContain('enable_consumer_stats: NOT_FOUND');
  });
});

describe('in use: a producer sent again on another transport', () => {
  it('gets its stats subscription back on the new transport', async () => {
    const producer = room.createProducer(audioTrack());
    producer.enableStats(1000);
    const first = room.createTransport('send');
    await producer.send(first);
    await next(producer, 'stats', 3000);
    first.close();
    await producer.send(room.createTransport('send'));
    // Stats come again (no media flows on the FakeHandler: the list itself may be empty).
    const [stats] = await next<[unknown[]]>(producer, 'stats', 3000);
    expect(Array.isArray(stats)).toBe(true);
    const enables = sent.filter((m) => m.body === 'enableProducerStats');
    expect(enables.map((m) => m.enableProducerStats?.id)).toEqual([producer.id, producer.id]);
  });
});
