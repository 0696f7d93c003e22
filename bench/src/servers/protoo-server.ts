// Helper process: the baseline server, signaling the way mediasoup's demo
// does: protoo (JSON requests/responses and notifications over WebSocket)
// in front of a mediasoup router (3.12.16, the same engine) on one worker. It handles just what
// the benchmarks ask: capabilities, join, a WebRTC transport, produce, and
// pause/resume of a producer. As in the demo, pause/resume is a request that
// is answered once the engine has paused the producer, and every other peer
// is told (consumerPaused/consumerResumed, no engine consumers: as on the @x
// side, where nobody enabled a consumer).
// Usage: protoo-server.ts <rtcMinPort> <rtcMaxPort>
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { types as ms } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import * as protoo from 'protoo-server';
import { watchChannel } from '../lib/census.js';
import { serve } from '../lib/child.js';

const [minPort, maxPort] = process.argv.slice(2).map(Number);

const worker = await mediasoup.createWorker({
  logLevel: 'error',
  rtcMinPort: minPort,
  rtcMaxPort: maxPort,
});
const channel = watchChannel(worker);
const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ],
});

interface PeerState {
  name: string;
  joined: boolean;
  transports: Map<string, ms.WebRtcTransport>;
  producers: Map<string, ms.Producer>;
}

const room = new protoo.Room();
const states = new Map<protoo.Peer, PeerState>();

/** Tells every other joined peer that `owner`'s producer was paused or resumed. */
function fanOut(owner: protoo.Peer, producerId: string, paused: boolean): void {
  const peerName = states.get(owner)!.name;
  for (const [peer, state] of states) {
    if (peer === owner || !state.joined) continue;
    peer
      .notify(paused ? 'consumerPaused' : 'consumerResumed', { peerName, producerId })
      .catch(() => undefined);
  }
}

async function handle(peer: protoo.Peer, method: string, data: Record<string, unknown>) {
  const state = states.get(peer)!;
  switch (method) {
    case 'getRouterRtpCapabilities':
      return router.rtpCapabilities;
    case 'join':
      state.joined = true;
      return {
        peers: [...states.values()]
          .filter((s) => s.joined && s !== state)
          .map((s) => ({ id: s.name })),
      };
    case 'createWebRtcTransport': {
      const transport = await router.createWebRtcTransport({
        listenIps: [{ ip: '127.0.0.1' }],
        enableUdp: true,
        enableTcp: false,
        preferUdp: true,
      });
      state.transports.set(transport.id, transport);
      return {
        id: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates,
        dtlsParameters: transport.dtlsParameters,
      };
    }
    case 'produce': {
      const transport = state.transports.get(data.transportId as string);
      if (!transport) throw new Error('transport not found');
      const producer = await transport.produce({
        kind: data.kind as ms.MediaKind,
        rtpParameters: data.rtpParameters as ms.RtpParameters,
      });
      state.producers.set(producer.id, producer);
      return { id: producer.id };
    }
    case 'pauseProducer':
    case 'resumeProducer': {
      const producerId = data.producerId as string;
      const producer = state.producers.get(producerId);
      if (!producer) throw new Error('producer not found');
      const paused = method === 'pauseProducer';
      await (paused ? producer.pause() : producer.resume());
      fanOut(peer, producerId, paused);
      return {};
    }
    default:
      throw new Error(`unknown method ${method}`);
  }
}

const http = createServer();
const wss = new protoo.WebSocketServer(http, { maxReceivedFrameSize: 960000 });
wss.on('connectionrequest', (info, accept) => {
  const query = new URL(info.request.url ?? '/', 'http://localhost').searchParams;
  const name = query.get('peerId') ?? `peer-${states.size}`;
  const peer = room.createPeer(name, accept());
  states.set(peer, { name, joined: false, transports: new Map(), producers: new Map() });
  peer.on('request', (request, ok, fail) => {
    handle(peer, request.method, request.data).then(ok, (error: Error) => fail(500, error.message));
  });
  peer.on('close', () => {
    const state = states.get(peer);
    for (const t of state?.transports.values() ?? []) t.close();
    states.delete(peer);
  });
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

serve(
  {
    info: () => ({
      port: (http.address() as AddressInfo).port,
      pid: process.pid,
      workerPids: [worker.pid],
    }),
    census: () => channel.take(),
  },
  () => {
    room.close();
    wss.stop();
    http.close();
    worker.close();
  },
);
