// One node of a test cluster, in its own process: a Server in cluster mode
// with its WebSocket endpoint on its own address (or, with NODE_DEMO=1, the
// built demo: its page, its token API and its endpoint on /ws, for Chromium
// pages), and an IPC door for what the test does on the server side (RTP
// ingest, RtpStreamers, producer pause/resume/close, what the node sees).
// SIGTERM drains it, as an orchestrator's rolling update would.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type Producer,
  RemotePeer,
  type Room,
  type RtpIngest,
  type RtpStreamer,
  roomFromUrl,
  Server,
  type ServerOptions,
  WebSocketEndpoint,
} from '@x/server';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`node.ts needs ${name}`);
  return value;
};

const ip = env('NODE_IP');
const port = Number(env('NODE_PORT'));
const nodeId = env('NODE_ID');
const rtcMinPort = Number(env('RTC_MIN_PORT'));
const demoMode = process.env.NODE_DEMO === '1';

const options: ServerOptions = {
  numWorkers: 1,
  logLevel: 'warn',
  rtcIPv4: ip,
  rtcIPv6: false,
  rtcMinPort,
  rtcMaxPort: rtcMinPort + 999,
  clientPlainRtp: { allowedNetworks: ['127.0.0.0/8'] },
  cluster: {
    redis: process.env.REDIS_SENTINELS
      ? (JSON.parse(process.env.REDIS_SENTINELS) as {
          sentinels: { host: string; port: number }[];
          name: string;
        })
      : env('REDIS_URL'),
    nodeId,
    signalingUrl: demoMode ? `ws://${ip}:${port}/ws` : `ws://${ip}:${port}/`,
    pipeListenIp: process.env.PIPE_IP ?? ip,
    maxPeers: process.env.MAX_PEERS ? Number(process.env.MAX_PEERS) : undefined,
    pipeSrtp: process.env.PIPE_SRTP !== 'false',
    // A node that sees the others' deaths later than they do (a slower reader of Redis).
    ...(process.env.NODE_TTL_MS ? { nodeTtlMs: Number(process.env.NODE_TTL_MS) } : {}),
  },
};

/** The built demo (apps/demo/dist): what its pages need of a node. */
interface DemoModule {
  startDemo(options: Record<string, unknown>): Promise<{ server: Server }>;
}

async function startDemoNode(): Promise<Server> {
  const demoJs = fileURLToPath(new URL('../../../apps/demo/dist/server/demo.js', import.meta.url));
  if (!existsSync(demoJs))
    throw new Error(`the demo is not built (${demoJs}): run pnpm exec turbo run build`);
  const { startDemo } = (await import(pathToFileURL(demoJs).href)) as DemoModule;
  const demo = await startDemo({
    port,
    host: ip,
    // Every node signs and checks the pages' tokens with one secret.
    tokenSecret: env('AUTH_SECRET'),
    webDir: fileURLToPath(new URL('../../../apps/demo/dist/web/', import.meta.url)),
    recordingsDir: mkdtempSync(join(tmpdir(), `x-cluster-demo-${nodeId}-`)),
    server: options,
  });
  return demo.server;
}

let server: Server;
if (demoMode) server = await startDemoNode();
else {
  server = await Server.create(options);
  // The endpoint lives as long as the process: the drain snippet below exits without closing it.
  await WebSocketEndpoint.listen({
    server,
    host: ip,
    port,
    selectRoom: roomFromUrl(server),
    auth: { secret: env('AUTH_SECRET') },
  });
}
const cluster = server.cluster!;

/** Everything this node saw happen in its rooms, for the test to read. */
const events: string[] = [];
const ingests = new Map<string, RtpIngest>();
const streamers = new Map<string, RtpStreamer>();

cluster.on('nodedown', (id) => events.push(`nodedown:${id}`));
cluster.on('redisdown', () => events.push('redisdown'));
cluster.on('redisup', () => events.push('redisup'));
server.on('newroom', (room) => {
  // Every member of the room: its peers on this node, and those of other nodes.
  room.on('newmember', (member) => {
    const node = member instanceof RemotePeer ? member.node : nodeId;
    events.push(`newpeer:${room.id}:${member.name}:${node}`);
    member.on('close', () => events.push(`peerclose:${room.id}:${member.name}`));
  });
});

async function roomOf(id: string): Promise<Room> {
  return server.getRoom(id) ?? (await server.createRoom({ id, closeWhenEmpty: false }));
}

function producerOf(room: Room, peerName: string, id: number): Producer {
  const producer = room.producers.find((p) => p.peer.name === peerName && p.id === id);
  if (!producer) throw new Error(`no producer ${peerName}/${id} in room ${room.id} on ${nodeId}`);
  return producer;
}

type Command = { id: number; op: string; args: Record<string, unknown> };

const handlers: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
  async ingest(a) {
    const room = await roomOf(a.room as string);
    const kind = a.kind as 'audio' | 'video';
    const ingest = await room.createRtpIngest({
      peerName: a.peer as string,
      kind,
      codec:
        kind === 'video'
          ? { mimeType: 'video/VP8', payloadType: a.payloadType as number, clockRate: 90000 }
          : {
              mimeType: 'audio/opus',
              payloadType: a.payloadType as number,
              clockRate: 48000,
              channels: 2,
            },
      ssrc: a.ssrc as number,
    });
    ingests.set(`${a.peer}/${ingest.producer.id}`, ingest);
    return { producerId: ingest.producer.id, url: ingest.url };
  },
  async stream(a) {
    const room = await roomOf(a.room as string);
    const producer = producerOf(room, a.peer as string, a.producer as number);
    const streamer = await room.createRtpStreamer(producer, {
      remoteIP: a.ip as string,
      remotePort: a.port as number,
    });
    streamers.set(`${a.peer}/${a.producer}`, streamer);
    const rtp = streamer.consumer.rtpParameters!;
    return { ssrc: rtp.encodings![0]!.ssrc, payloadType: rtp.codecs[0]!.payloadType };
  },
  /** Closes the streamer of `stream` (its consumer goes: the producer is needed here no more). */
  async unstream(a) {
    const key = `${a.peer}/${a.producer}`;
    streamers.get(key)?.close();
    streamers.delete(key);
    return null;
  },
  async producer(a) {
    const room = await roomOf(a.room as string);
    const producer = producerOf(room, a.peer as string, a.producer as number);
    if (a.action === 'pause') producer.pause();
    else if (a.action === 'resume') producer.resume();
    else producer.close();
    return null;
  },
  /** How many pipes carry the producer away from its router on this node (Room.pipesOf). */
  async pipes(a) {
    const room = await roomOf(a.room as string);
    return room.pipesOf(producerOf(room, a.peer as string, a.producer as number));
  },
  /** RTP packets the producer's engine got on this node (over the pipe, for a peer of another node). */
  async received(a) {
    const room = await roomOf(a.room as string);
    const producer = producerOf(room, a.peer as string, a.producer as number);
    const stats = await producer.engine.getStats();
    return stats.reduce((sum, s) => sum + Number(s.packetCount ?? 0), 0);
  },
  async room(a) {
    const room = server.getRoom(a.room as string);
    if (!room) return null;
    return {
      peers: room.members.map((m) => ({
        name: m.name,
        node: m instanceof RemotePeer ? m.node : nodeId,
        producers: room.producers
          .filter((x) => x.peer === m)
          .map((x) => ({ id: x.id, kind: x.kind, paused: x.paused })),
        // A local peer's consumers enabled on a transport: which one.
        enabled: (m instanceof RemotePeer ? [] : (room.getPeerByName(m.name)?.consumers ?? []))
          .filter((c) => c.enabled)
          .map((c) => ({ from: c.source.peer.name, transport: c.transport?.id })),
      })),
    };
  },
  /**
   * Removes every listener an app could have put on the public objects of
   * the node and of a room (what this file added included): the cluster
   * must go on, watching observers only.
   */
  async strip(a) {
    const room = await roomOf(a.room as string);
    const objects: { removeAllListeners(): unknown }[] = [server, cluster, room];
    for (const member of room.members) objects.push(member);
    for (const peer of room.peers) objects.push(...peer.transports, ...peer.consumers);
    for (const producer of room.producers) objects.push(producer);
    for (const streamer of room.rtpStreamers)
      objects.push(streamer, streamer.consumer, streamer.transport);
    for (const object of objects) object.removeAllListeners();
    return objects.length;
  },
  /** The server app sends a message to the room (`room.sendData`), to every node's peers. */
  async sendData(a) {
    const room = await roomOf(a.room as string);
    room.sendData(a.text as string, {
      label: a.label as string,
      to: a.to as string[] | undefined,
    });
    return null;
  },
  /** The room's data producers here (a peer of another node's: piped to this node). */
  async dataProducers(a) {
    const room = server.getRoom(a.room as string);
    return (room?.dataProducers ?? []).map((dp) => ({
      peer: dp.peer.name,
      label: dp.label,
      node: dp.peer instanceof RemotePeer ? dp.peer.node : nodeId,
    }));
  },
  async create(a) {
    await roomOf(a.room as string);
    return null;
  },
  async events() {
    return events;
  },
  async nodes() {
    return cluster.nodes.map((n) => ({ id: n.id, draining: n.draining, peers: n.load.peers }));
  },
};

process.on('message', (message: Command) => {
  const handler = handlers[message.op];
  if (!handler) {
    process.send!({ id: message.id, error: `unknown op ${message.op}` });
    return;
  }
  handler(message.args).then(
    (ok) => process.send!({ id: message.id, ok }),
    (error: unknown) => process.send!({ id: message.id, error: String(error) }),
  );
});

// The server README's SIGTERM snippet, verbatim (test/readme.test.ts checks
// that it is): clients must get their redirect with nothing more than this.
process.once('SIGTERM', async () => {
  await server.cluster!.drain({ timeoutMs: 10_000 }); // clients rejoin through other nodes
  server.close();
  process.exit(0);
});

process.send!({ ready: true, nodeId });
