// Helper process: one node of a benchmark cluster. A Server in cluster mode
// (one worker, its own loopback address for RTC and pipes), either bare
// ('server': the media benchmark drives it over IPC) or inside the built
// demo ('demo': its web page and WebSocket endpoint for Chromium, every node
// signing tokens with the same secret). Rooms stay open when empty: a node
// with no peer of its own still takes part in a room (its RtpStreamers
// consume producers piped from another node).
// Usage: node.ts '<json NodeOptions>'
import { existsSync } from 'node:fs';
import type { Producer, Room, RtpIngest, Server, ServerOptions } from '@x/server';
import { RemotePeer, Server as XServer } from '@x/server';
import { demoJs, demoWebDir, startBuiltDemo } from '../lib/builtDemo.js';
import { ready, serve } from '../lib/child.js';
import { packetsLost } from '../media/room-topology.js';
import { cpuOf, inBatches, PAYLOAD_TYPE, SSRC } from '../media/topology.js';

export interface NodeOptions {
  id: string;
  ip: string;
  /** HTTP/WebSocket port (demo mode). */
  port: number;
  redis: string;
  rtcPorts: [number, number];
  mode: 'server' | 'demo';
  /** Token secret shared by the nodes (demo mode). */
  tokenSecret: string;
}

const options = JSON.parse(process.argv[2]!) as NodeOptions;
const serverOptions: ServerOptions = {
  numWorkers: 1,
  logLevel: 'error',
  rtcIPv4: options.ip,
  rtcIPv6: false,
  rtcMinPort: options.rtcPorts[0],
  rtcMaxPort: options.rtcPorts[1],
  limits: { peersPerRoom: 10_000 },
  cluster: {
    redis: options.redis,
    nodeId: options.id,
    signalingUrl: `ws://${options.ip}:${options.port}/ws`,
    pipeListenIp: options.ip,
  },
};

let server: Server;
let close: () => Promise<void>;
if (options.mode === 'demo') {
  if (!existsSync(demoJs)) throw new Error(`the demo is not built (${demoJs})`);
  const demo = await startBuiltDemo({
    port: options.port,
    host: options.ip,
    tokenSecret: options.tokenSecret,
    webDir: demoWebDir,
    recordingsDir: `/tmp/x-bench-recordings-${options.id}`,
    drainTimeoutMs: 0,
    server: serverOptions,
  });
  server = demo.server;
  close = () => demo.close();
} else {
  server = await XServer.create(serverOptions);
  close = async () => server.close();
}

// The server README's SIGTERM snippet, as an operator's node runs it (the
// cluster-drain benchmark times it).
process.once('SIGTERM', async () => {
  await server.cluster!.drain({ timeoutMs: 10_000 }); // clients rejoin through other nodes
  server.close();
  process.exit(0);
});

const ingests = new Map<string, RtpIngest>();

async function roomOf(id: string): Promise<Room> {
  return server.getRoom(id) ?? (await server.createRoom({ id, closeWhenEmpty: false }));
}

/** The producer `id` of `peer` in a room, waiting up to 10 s for it (one of another node arrives through a pipe). */
async function producerOf(room: Room, peer: string, id: number): Promise<Producer> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const producer = room.producers.find((p) => p.peer.name === peer && p.id === id);
    if (producer) return producer;
    if (Date.now() > deadline)
      throw new Error(`no producer ${peer}/${id} in room ${room.id} on ${options.id}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

serve(
  {
    info: () => ({ pid: process.pid, workerPids: server.workers.map((w) => w.pid) }),
    /** Opens a room here (a node takes part in a room while it is open). */
    room: async (p) => {
      await roomOf((p as { room: string }).room);
      return null;
    },
    /** A synthetic VP8 source into a room, as peer `peer`: the sender sends to 127.0.0.1:port. */
    ingest: async (p) => {
      const { room, peer } = p as { room: string; peer: string };
      const ingest = await (await roomOf(room)).createRtpIngest({
        peerName: peer,
        kind: 'video',
        codec: { mimeType: 'video/VP8', payloadType: PAYLOAD_TYPE, clockRate: 90000 },
        ssrc: SSRC,
        listenIP: '127.0.0.1',
      });
      ingests.set(`${room}/${peer}`, ingest);
      return { producerId: ingest.producer.id, port: ingest.localPort };
    },
    /** RtpStreamers of a producer (of this node or piped in) to 127.0.0.1 at these ports. */
    stream: async (p) => {
      const { room, peer, producer, ports } = p as {
        room: string;
        peer: string;
        producer: number;
        ports: number[];
      };
      const r = await roomOf(room);
      const source = await producerOf(r, peer, producer);
      await inBatches(ports, (port) =>
        r.createRtpStreamer(source, { remoteIP: '127.0.0.1', remotePort: port }),
      );
      return { streamers: r.rtpStreamers.length, pipedIn: source.peer instanceof RemotePeer };
    },
    /** CPU time of this node's workers, ms. */
    workerCpu: async () =>
      (await Promise.all(server.workers.map(cpuOf))).reduce((s, x) => s + x, 0),
    /** Source packets an ingest of this node saw missing so far. */
    ingestLost: async (p) => {
      const { room, peer } = p as { room: string; peer: string };
      const ingest = ingests.get(`${room}/${peer}`);
      if (!ingest) throw new Error(`no ingest ${room}/${peer} on ${options.id}`);
      return packetsLost(ingest.producer);
    },
  },
  () => close(),
);
ready();
