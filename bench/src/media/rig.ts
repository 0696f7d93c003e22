// The media rig shared by the fan-out and capacity benchmarks: the RTP
// sender and the UDP sinks, each in its own process.
import { Child } from '../lib/child.js';
import { sleep } from '../lib/stats.js';
import { PAYLOAD_TYPE, SSRC, type Topology } from './topology.js';

/** Time for every consumer to get a key frame (one a second) and settle. */
export const WARMUP_MS = 2500;

export interface Rig {
  sender: Child;
  sinks: Child;
  /** Opens sinks up to `count` in all; returns their ports. */
  sinkPorts(count: number): Promise<number[]>;
  /** Points the sender at a topology's ingest, and waits for its consumers to start. */
  feed(topology: Topology): Promise<void>;
  /** Stops the sender (before consumers are added, so the worker is idle meanwhile). */
  pause(): Promise<void>;
  stop(): Promise<void>;
}

export function startRig(): Rig {
  const sender = Child.start('./rtp-sender.ts', import.meta.url);
  const sinks = Child.start('./sinks.ts', import.meta.url);
  return {
    sender,
    sinks,
    sinkPorts: (count) => sinks.call<number[]>('open', { count }),
    async feed(topology) {
      await sender.call('target', {
        port: topology.ingestPort,
        ssrc: SSRC,
        payloadType: PAYLOAD_TYPE,
      });
      await sleep(WARMUP_MS);
    },
    async pause() {
      await sender.call('pause');
    },
    async stop() {
      await Promise.all([sender.stop(), sinks.stop()]);
    },
  };
}
