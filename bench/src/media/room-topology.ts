// One room of an @x server on one or more media workers, fed by synthetic
// VP8 sources (RtpIngest), relayed to plain-RTP receivers: peers that join
// the room as clients do, with `canUsePlainRtp`, each with a plain RTP
// receive transport aimed at one UDP sink and its consumer of one source
// enabled and started. The server homes every peer on a router of the room
// (`maxConsumersPerWorker` decides which); a receiver homed on another
// worker than its source gets the source piped there (a pipe between the
// routers, once per router). Receivers join one after the other, each enabled before the
// next joins, so that every placement sees the load of the ones before.
import type { types as ms } from '@x/mediasoup';
import { type Peer, type Producer, type Room, type RtpIngest, Server } from '@x/server';
import { cpuOf, PAYLOAD_TYPE, SSRC, type Topology } from './topology.js';

/** A receiver of the room: its peer, the worker it is homed on (index in `server.workers`), its source. */
export interface Receiver {
  peer: Peer;
  worker: number;
  source: RtpIngest;
}

/** The room, its sources and receivers. */
export interface RoomRig {
  server: Server;
  room: Room;
  /** The sources, in the order created. */
  ingests: RtpIngest[];
  /** Every receiver so far. */
  receivers: Receiver[];
  /** Index in `server.workers` of the worker a router runs on. */
  workerIndexOf(router: ms.Router): number;
  /**
   * A receiver joins, homed by the server; `choose(worker)` says, for a
   * receiver homed on that worker, which source it consumes and the sink
   * port (on 127.0.0.1) it sends to. With nothing chosen it leaves again and
   * `undefined` is returned.
   */
  addReceiver(
    choose: (worker: number) => { source: RtpIngest; port: number } | undefined,
  ): Promise<Receiver | undefined>;
  /** Consumers on each worker (`server.workerLoads`: pipe consumers included). */
  consumersPerWorker(): number[];
  close(): void;
}

export interface RoomRigOptions {
  numWorkers: number;
  ports: [number, number];
  maxConsumersPerWorker: number;
  /** Number of sources (each its own ingest peer and SSRC). Default 1. */
  sources?: number;
}

let roomIds = 0;

/** Starts a server and a room with its sources. */
export async function startRoomRig(options: RoomRigOptions): Promise<RoomRig> {
  const server = await Server.create({
    numWorkers: options.numWorkers,
    logLevel: 'error',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: options.ports[0],
    rtcMaxPort: options.ports[1],
    maxConsumersPerWorker: options.maxConsumersPerWorker,
    clientPlainRtp: { allowedNetworks: ['127.0.0.0/8'] },
    limits: { peersPerRoom: 10_000 },
  });
  // Which worker each router runs on: the workers announce their routers.
  const workerOfRouter = new Map<ms.Router, number>();
  for (const [i, worker] of server.workers.entries())
    worker.observer.on('newrouter', (router: ms.Router) => workerOfRouter.set(router, i));
  try {
    const room = await server.createRoom({ id: `rooms-${++roomIds}`, closeWhenEmpty: false });
    const ingests: RtpIngest[] = [];
    for (let i = 0; i < (options.sources ?? 1); i++) {
      ingests.push(
        await room.createRtpIngest({
          peerName: `source-${i}`,
          kind: 'video',
          codec: { mimeType: 'video/VP8', payloadType: PAYLOAD_TYPE, clockRate: 90000 },
          ssrc: SSRC,
        }),
      );
    }
    const receivers: Receiver[] = [];
    const workerIndexOf = (router: ms.Router) => {
      const i = workerOfRouter.get(router);
      if (i === undefined) throw new Error(`router ${router.id} is on no worker of the server`);
      return i;
    };
    let names = 0;
    return {
      server,
      room,
      ingests,
      receivers,
      workerIndexOf,
      async addReceiver(choose) {
        const peer = await room.join({
          name: `receiver-${++names}`,
          rtpCapabilities: room.rtpCapabilities,
          permissions: { canPublish: false, canSubscribe: true, canUsePlainRtp: true },
        });
        const worker = workerIndexOf(peer.router);
        const chosen = choose(worker);
        if (!chosen) {
          peer.close();
          return undefined;
        }
        const { source, port } = chosen;
        const transport = await peer.createPlainRtpTransport({
          id: 1,
          direction: 'recv',
          remote: { ip: '127.0.0.1', port },
        });
        const consumer = peer.getConsumerOf(source.producer);
        if (!consumer) throw new Error(`receiver ${peer.name} has no consumer of its source`);
        await peer.enableConsumer(consumer.id, transport.id);
        peer.startConsumer(consumer.id);
        const receiver = { peer, worker, source };
        receivers.push(receiver);
        return receiver;
      },
      consumersPerWorker: () =>
        server.workers.map((w) => server.workerLoads.find((l) => l.pid === w.pid)?.consumers ?? 0),
      close: () => server.close(),
    };
  } catch (error) {
    server.close();
    throw error;
  }
}

/** Source packets one ingest has seen missing so far (its producer's RTP sequence gaps). */
export async function packetsLost(producer: Producer): Promise<number> {
  const stats = await producer.getStats();
  let lost = 0;
  for (const s of stats as unknown as { type: string; packetsLost?: number }[])
    if (s.type === 'inbound-rtp') lost += s.packetsLost ?? 0;
  return lost;
}

/**
 * A fan-out topology over a room rig: `source` relayed to the rig's
 * receivers of it. `addConsumers` adds receivers of it wherever the server
 * homes them. Every worker of the server is charged: their CPU is summed.
 */
export function roomTopology(rig: RoomRig, name: string, source: RtpIngest): Topology {
  const workers = () => rig.server.workers;
  return {
    name,
    ingestPort: source.localPort,
    get consumers() {
      return rig.receivers.filter((r) => r.source === source).length;
    },
    async addConsumers(ports) {
      for (const port of ports) await rig.addReceiver(() => ({ source, port }));
    },
    workerCpuMs: async () => (await Promise.all(workers().map(cpuOf))).reduce((s, x) => s + x, 0),
    workerCpuEachMs: () => Promise.all(workers().map(cpuOf)),
    ingestLost: () => packetsLost(source.producer),
    close: () => rig.close(),
  };
}
