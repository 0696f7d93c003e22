// The hostile-input fuzzer: more than 100,000 messages against a running
// server over real WebSockets — random bytes, truncated and oversized
// frames, valid messages with foreign ids, requests before join, double
// joins, huge appData, thousands of producers. The server stays up, answers
// each (or closes the connection with a reason), other peers are unaffected
// and memory stays bounded.
import { pb } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room } from '../src/index.js';
import { audioParameters, message, startServer, type TestServer } from './helpers/fixtures.js';
import { type Frame, FrameFactory, FuzzConnection, prng } from './helpers/fuzzer.js';

const TOTAL = 100_000;
const BATCH = 50;
const MAX_FRAME = 16 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);

let t: TestServer;
let room: Room;
beforeAll(async () => {
  t = await startServer(
    {
      rtcMinPort: 45800,
      rtcMaxPort: 45999,
      limits: { messagesPerSecond: 1_000_000, maxFrameSize: MAX_FRAME },
    },
    { sessionGraceMs: 500 },
  );
  room = await t.server.createRoom({ id: 'fuzz' });
});
afterAll(() => t.close());

describe('protocol fuzzer', () => {
  it(`answers or closes on each of ${TOTAL.toLocaleString('en')} hostile messages; bystanders are unaffected`, async () => {
    // Two bystanders: a publisher and a subscriber with an enabled consumer.
    const publisher = await ProtocolClient.connect(t.url('fuzz'));
    await publisher.join('publisher', room.rtpCapabilities);
    await publisher.ok(
      {
        createTransport: {
          id: 0x7ffffffe,
          direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND,
        },
      },
      'createTransport',
    );
    await publisher.ok(
      {
        createProducer: {
          id: 0x7fffffff,
          kind: 1,
          transportId: 0x7ffffffe,
          rtpParameters: message(audioParameters(99)),
        },
      },
      'createProducer',
    );
    const subscriber = await ProtocolClient.connect(t.url('fuzz'));
    const joined = await subscriber.join('subscriber', room.rtpCapabilities);
    const consumerId = joined.peers[0]!.consumers[0]!.id;
    await subscriber.ok(
      { createTransport: { id: 1, direction: pb.TransportDirection.TRANSPORT_DIRECTION_RECV } },
      'createTransport',
    );
    await subscriber.ok({ enableConsumer: { id: consumerId, transportId: 1 } }, 'enableConsumer');
    await subscriber.ok({ startConsumer: { id: consumerId } }, 'startConsumer');

    const rand = prng(SEED);
    const frames = new FrameFactory(rand, room.rtpCapabilities, MAX_FRAME, {
      producerId: 0x7fffffff,
      transportId: 0x7ffffffe,
      consumerId,
    });
    const sent: Record<string, number> = {};
    const outcome: Record<string, Record<string, number>> = {};
    const closeReasons: Record<string, number> = {};
    let reconnections = 0;
    let peers = 0;
    const heapBefore = process.memoryUsage().heapUsed;

    const joinedConnection = async (): Promise<FuzzConnection> => {
      const c = new FuzzConnection(t.url('fuzz'));
      await c.open();
      const response = await c.request(
        {
          join: {
            protocolVersion: 1,
            peerName: `fuzz-${++peers}`,
            rtpCapabilities: (await import('@x/protocol')).rtpCapabilitiesToMessage(
              room.rtpCapabilities,
            ),
          },
        },
        2_000_000_000,
      );
      if (!response.join) throw new Error(`fuzz peer could not join: ${response.error?.message}`);
      await c.request(
        { createTransport: { id: 1, direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND } },
        2_000_000_001,
      );
      return c;
    };
    const unjoinedConnection = async (): Promise<FuzzConnection> => {
      const c = new FuzzConnection(t.url('fuzz'));
      await c.open();
      return c;
    };

    let fuzzer = await joinedConnection();
    let outsider = await unjoinedConnection();
    const pending: Frame[] = [];
    const pendingOutside: Frame[] = [];

    const flush = async (which: 'joined' | 'outside') => {
      const batch = which === 'joined' ? pending.splice(0) : pendingOutside.splice(0);
      const connection = which === 'joined' ? fuzzer : outsider;
      const results = await connection.batch(batch);
      batch.forEach((frame, i) => {
        const r = results[i]!;
        outcome[frame.category] ??= {};
        outcome[frame.category]![r] = (outcome[frame.category]![r] ?? 0) + 1;
      });
      if (connection.closed) {
        const key = `${connection.closed.code} ${connection.closed.reason}`;
        closeReasons[key] = (closeReasons[key] ?? 0) + 1;
        reconnections++;
        if (which === 'joined') fuzzer = await joinedConnection();
        else outsider = await unjoinedConnection();
      }
    };

    const mix: [number, () => Frame, 'joined' | 'outside'][] = [
      [0.25, () => frames.random(), 'joined'],
      [0.15, () => frames.truncated(), 'joined'],
      [0.05, () => frames.oversized(), 'joined'],
      [0.2, () => frames.foreignIds(), 'joined'],
      [0.1, () => frames.beforeJoin(), 'outside'],
      [0.05, () => frames.doubleJoin(), 'joined'],
      [0.02, () => frames.hugeAppData(), 'joined'],
      [0.08, () => frames.manyProducers(), 'joined'],
      [0.1, () => frames.valid(), 'joined'],
    ];
    const started = performance.now();
    for (let n = 0; n < TOTAL; n++) {
      let r = rand();
      let choice = mix[mix.length - 1]!;
      for (const entry of mix) {
        if (r < entry[0]) {
          choice = entry;
          break;
        }
        r -= entry[0];
      }
      // A handful of frames larger than even ws accepts: the socket closes (1009).
      const frame = n % 20_000 === 19_999 ? frames.huge() : choice[1]();
      sent[frame.category] = (sent[frame.category] ?? 0) + 1;
      const queue =
        choice[2] === 'outside' && frame.category !== 'huge (ws limit)' ? pendingOutside : pending;
      queue.push(frame);
      if (pending.length >= BATCH || frame.category === 'huge (ws limit)') await flush('joined');
      if (pendingOutside.length >= BATCH) await flush('outside');
    }
    await flush('joined');
    await flush('outside');
    const seconds = (performance.now() - started) / 1000;

    const rows = Object.keys(sent)
      .sort()
      .map((category) => ({ category, sent: sent[category], ...outcome[category] }));
    console.log(
      `fuzzer (seed ${SEED}): ${TOTAL} messages in ${seconds.toFixed(1)} s, ${reconnections} reconnections`,
    );
    console.table(rows);
    console.log('connections closed by the server, by reason:', closeReasons);

    // Every message was answered, or cut off by a close with a reason.
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    expect(total).toBe(TOTAL);
    const unanswered = Object.values(outcome).reduce((a, o) => a + (o.unanswered ?? 0), 0);
    expect(unanswered).toBe(0);
    for (const reason of Object.keys(closeReasons))
      expect(reason).toMatch(/^(4002 protocol violation|1009 )/);

    // The server is up, the bystanders untouched.
    expect(room.closed).toBe(false);
    expect(room.getPeerByName('publisher')?.closed).toBe(false);
    const subscriberPeer = room.getPeerByName('subscriber')!;
    expect(subscriberPeer.getConsumerById(consumerId)?.enabled).toBe(true);
    expect(room.getPeerByName('publisher')!.getProducerById(0x7fffffff)?.paused).toBe(false);
    expect(subscriber.received('consumerClosed').filter((n) => n.peerName === 'publisher')).toEqual(
      [],
    );
    expect(subscriber.received('consumerPaused').filter((n) => n.peerName === 'publisher')).toEqual(
      [],
    );
    expect(publisher.received('closed')).toEqual([]);
    await publisher.ok({ restartIce: { transportId: 0x7ffffffe } }, 'restartIce');
    await subscriber.ok({ queryRoom: {} }, 'queryRoom');

    // State and memory stay bounded: at most the live fuzz peer's producers.
    const producers = room.peers.reduce((a, p) => a + p.producers.length, 0);
    expect(producers).toBeLessThanOrEqual(1 + t.server.limits.producersPerPeer * 2);
    const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    console.log(
      `heap growth over the run: ${heapGrowth.toFixed(1)} MiB; peers now ${room.peers.length}, producers ${producers}`,
    );
    expect(heapGrowth).toBeLessThan(200);
    fuzzer.close();
    outsider.close();
    publisher.close();
    subscriber.close();
  }, 300_000);
});
