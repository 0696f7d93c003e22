// The two fan-out topologies compared: one VP8 source into a room, relayed
// to N UDP destinations. @x: room.createRtpIngest + room.createRtpStreamer
// per destination. Bare mediasoup (3.12.16): a router, a plain transport with a
// producer, and per destination a plain transport + consume(). Both on one
// mediasoup worker of their own.

import type { types as ms } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import { Server } from '@x/server';

export const SSRC = 0x1234_5678;
export const PAYLOAD_TYPE = 101;

export interface Topology {
  name: string;
  /** Port the source sends RTP to. */
  ingestPort: number;
  /** Number of destinations so far. */
  consumers: number;
  /** Adds destinations on 127.0.0.1 at these ports. */
  addConsumers(ports: readonly number[]): Promise<void>;
  /** CPU time the worker has used so far (ru_utime + ru_stime), in ms; all its workers', for a topology of several. */
  workerCpuMs(): Promise<number>;
  /** Each worker's CPU time so far, in ms, for a topology of several workers. */
  workerCpuEachMs?(): Promise<number[]>;
  /** Source packets the ingest has seen missing so far (RTP sequence gaps), if the topology tells. */
  ingestLost?(): Promise<number>;
  /** CPU time so far of the topology's other processes (servers' Node processes of their own), ms. */
  helperCpuMs?(): Promise<number>;
  close(): void;
}

/**
 * What a plain RTP receiver (ffmpeg, GStreamer, these sinks) can take: the
 * router's codecs without bandwidth estimation, as @x's RtpStreamer consumes
 * since commit 20e98c3. With transport-cc or REMB negotiated the worker adds
 * sequence numbers and sends probe packets of its own to every destination,
 * which a plain receiver neither wants nor answers: the baseline must not pay
 * for them either, or the ratio measures that instead of @x.
 */
function plainReceiverCapabilities(router: ms.Router): ms.RtpCapabilities {
  const caps = router.rtpCapabilities;
  return {
    codecs: (caps.codecs ?? []).map((codec) => ({
      ...codec,
      rtcpFeedback: (codec.rtcpFeedback ?? []).filter(
        (fb) => fb.type !== 'transport-cc' && fb.type !== 'goog-remb',
      ),
    })),
    headerExtensions: (caps.headerExtensions ?? []).filter(
      (ext) => !ext.uri.includes('transport-wide-cc') && !ext.uri.includes('abs-send-time'),
    ),
  };
}

/** Adds in batches: enough in flight to be quick, few enough not to flood the worker's channel. */
export async function inBatches(items: readonly number[], add: (port: number) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += 25) await Promise.all(items.slice(i, i + 25).map(add));
}

export async function cpuOf(worker: ms.Worker): Promise<number> {
  const u = await worker.getResourceUsage();
  return u.ru_utime + u.ru_stime;
}

export async function xTopology(ports: [number, number]): Promise<Topology> {
  const server = await Server.create({
    numWorkers: 1,
    logLevel: 'error',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: ports[0],
    rtcMaxPort: ports[1],
  });
  const room = await server.createRoom({ id: 'fanout' });
  const ingest = await room.createRtpIngest({
    peerName: 'source',
    kind: 'video',
    codec: { mimeType: 'video/VP8', payloadType: PAYLOAD_TYPE, clockRate: 90000 },
    ssrc: SSRC,
  });
  const worker = server.workers[0]!;
  const topology: Topology = {
    name: '@x',
    ingestPort: ingest.localPort,
    consumers: 0,
    async addConsumers(list) {
      await inBatches(list, (port) =>
        room.createRtpStreamer(ingest.producer, { remoteIP: '127.0.0.1', remotePort: port }),
      );
      topology.consumers += list.length;
    },
    workerCpuMs: () => cpuOf(worker),
    close: () => server.close(),
  };
  return topology;
}

export async function bareTopology(ports: [number, number]): Promise<Topology> {
  const worker = await mediasoup.createWorker({
    logLevel: 'error',
    rtcMinPort: ports[0],
    rtcMaxPort: ports[1],
  });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
  });
  const input = await router.createPlainTransport({
    listenIp: { ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: true,
  });
  const producer = await input.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: PAYLOAD_TYPE,
          clockRate: 90000,
          rtcpFeedback: [
            { type: 'nack' },
            { type: 'nack', parameter: 'pli' },
            { type: 'ccm', parameter: 'fir' },
          ],
        },
      ],
      encodings: [{ ssrc: SSRC }],
    },
  });
  const rtpCapabilities = plainReceiverCapabilities(router);
  const topology: Topology = {
    name: 'bare mediasoup',
    ingestPort: input.tuple.localPort,
    consumers: 0,
    async addConsumers(list) {
      await inBatches(list, async (port) => {
        const transport = await router.createPlainTransport({
          listenIp: { ip: '127.0.0.1' },
          rtcpMux: true,
          comedia: false,
        });
        await transport.connect({ ip: '127.0.0.1', port });
        await transport.consume({
          producerId: producer.id,
          rtpCapabilities,
        });
      });
      topology.consumers += list.length;
    },
    workerCpuMs: () => cpuOf(worker),
    close: () => worker.close(),
  };
  return topology;
}
