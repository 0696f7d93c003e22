// Benchmark (a): the protocol codec. Encode+decode throughput and bytes on
// the wire of typical messages, @x protobuf against the JSON that mediasoup
// v2's protocol sent for the same content.
import { decodeServerMessage, encodeServerMessage, type ServerMessageInit } from '@x/protocol';
import { compareOps, DEFAULT_WARMUP_MS, opsClock } from '../lib/ops.js';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { type AppConsumer, producerStats, roomPeers, webRtcTransport } from './scenario.js';
import {
  v2CreateTransportResponse,
  v2EnableConsumerResponse,
  v2JoinResponse,
  v2NewConsumer,
  v2ProducerStats,
} from './v2-messages.js';
import {
  readServerMessage,
  xCreateTransportResponse,
  xEnableConsumerResponse,
  xJoinResponse,
  xNewConsumer,
  xProducerStats,
} from './x-messages.js';

interface Case {
  name: string;
  /** Builds the @x messages from the application's objects. */
  x: () => ServerMessageInit[];
  /** Builds the v2 JSON messages from the same objects. */
  v2: () => unknown[];
  note?: string;
}

const ROUNDS = 5;
const ROUND_MS = 300;

function cases(): Case[] {
  const peers = roomPeers(20);
  const consumers: AppConsumer[] = peers.flatMap((p) => p.consumers);
  const video = consumers[1]!;
  const transport = webRtcTransport();
  const stats = producerStats();
  return [
    {
      name: 'join response, 20 peers × 2 consumers',
      x: () => [xJoinResponse(2, peers)],
      v2: () => [v2JoinResponse(2, peers)],
      note: 'v2 puts each consumer’s rtpParameters in join; @x sends them in enableConsumer',
    },
    {
      name: 'join + 40 enableConsumer responses (same information)',
      x: () => [
        xJoinResponse(2, peers),
        ...consumers.map((c, i) => xEnableConsumerResponse(10 + i, c)),
      ],
      v2: () => [
        v2JoinResponse(2, peers),
        ...consumers.map((c, i) => v2EnableConsumerResponse(10 + i, c)),
      ],
      note: '41 messages each side',
    },
    {
      name: 'newConsumer notification (video)',
      x: () => [xNewConsumer(video)],
      v2: () => [v2NewConsumer(video)],
      note: 'v2 includes rtpParameters; @x sends them in enableConsumer',
    },
    {
      name: 'newConsumer + enableConsumer response (same information)',
      x: () => [xNewConsumer(video), xEnableConsumerResponse(7, video)],
      v2: () => [v2NewConsumer(video), v2EnableConsumerResponse(7, video)],
    },
    {
      name: 'createTransport response (2 candidates, 5 fingerprints)',
      x: () => [xCreateTransportResponse(3, transport)],
      v2: () => [v2CreateTransportResponse(3, transport)],
    },
    {
      name: 'producer stats (3 simulcast streams)',
      x: () => [xProducerStats(4_294_967_295, stats)],
      v2: () => [v2ProducerStats(4_294_967_295, stats)],
    },
  ];
}

function measureCase(c: Case): Figure[] {
  const prebuilt = c.x();
  const frames = prebuilt.map((m) => encodeServerMessage(m));
  const xBytes = frames.reduce((s, f) => s + f.byteLength, 0);
  const jsonBytes = c.v2().reduce<number>((s, m) => s + Buffer.byteLength(JSON.stringify(m)), 0);

  const ops = compareOps(
    {
      // Everything a server and a client do: conversions, encoding, decoding.
      x: () => {
        let n = 0;
        for (const m of c.x()) {
          const bytes = encodeServerMessage(m);
          const read = readServerMessage(decodeServerMessage(bytes));
          n += bytes.byteLength + (read ? 1 : 0);
        }
        return n;
      },
      // The protobuf work alone, on messages already built.
      xWire: () => {
        let n = 0;
        for (const m of prebuilt) {
          const decoded = decodeServerMessage(encodeServerMessage(m));
          n += decoded.message ? 1 : 0;
        }
        return n;
      },
      // As ws sends a string: UTF-8 bytes out, a string back, parsed.
      json: () => {
        let n = 0;
        for (const m of c.v2()) {
          const bytes = Buffer.from(JSON.stringify(m), 'utf8');
          const parsed = JSON.parse(bytes.toString('utf8')) as { id?: number };
          n += bytes.byteLength + (parsed ? 1 : 0);
        }
        return n;
      },
    },
    { rounds: ROUNDS, ms: ROUND_MS },
  );
  return [
    figure({
      name: `${c.name}: bytes on the wire`,
      unit: 'bytes',
      value: xBytes,
      baseline: jsonBytes,
      baselineName: 'JSON (v2)',
      higherIsBetter: false,
      note: c.note,
    }),
    figure({
      name: `${c.name}: encode+decode, with conversions`,
      unit: 'ops/s',
      value: ops.x!,
      baseline: ops.json!,
      baselineName: 'JSON (v2)',
      higherIsBetter: true,
      note: 'app objects → frame → app objects',
    }),
    figure({
      name: `${c.name}: encode+decode, protobuf only`,
      unit: 'ops/s',
      value: ops.xWire!,
      baseline: ops.json!,
      baselineName: 'JSON (v2)',
      higherIsBetter: true,
      note: 'prebuilt message → frame → pb objects',
    }),
  ];
}

export async function run(): Promise<BenchResult> {
  const figures = cases().flatMap(measureCase);
  return {
    name: 'codec',
    title: 'Protocol codec: @x protobuf vs mediasoup v2 JSON (same content)',
    figures,
    details: { clock: opsClock(), rounds: ROUNDS, roundMs: ROUND_MS, warmupMs: DEFAULT_WARMUP_MS },
    notes: [
      `Each figure is the median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms per variant, after a warm-up of ${DEFAULT_WARMUP_MS} ms per variant (the JIT compilers’ background threads count in the CPU time until the generated code is optimised). One op = every message of the row encoded and decoded once. ${opsClock() === 'cpu' ? 'Time is the bench process’s CPU time (process.cpuUsage), so that other processes taking the CPU away do not count against the variant that was running.' : 'Time is wall-clock time (BENCH_OPS_CLOCK=wall).'}`,
      '“with conversions” includes what the server and client do around the codec: mediasoup objects → protobuf messages (rtpParametersToMessage, jsonToMessage, …) and back. JSON includes JSON.stringify + UTF-8 encoding (as ws sends a string) and decoding + JSON.parse.',
    ],
  };
}
