// The protoo side of the storm: 50 protoo-client peers (JSON over
// WebSocket, through the `websocket` package's client, as protoo-client
// runs in Node) in a room of the protoo baseline server, each with an audio
// producer. A pause or resume is a request, as in mediasoup's demo; it is
// seen when the request is answered and the next peer in the ring has
// received consumerPaused / consumerResumed for it.

import { audioParameters } from '@x/testkit';
import * as protoo from 'protoo-client';
import type { Child } from '../lib/child.js';
import { Sightings } from './storm.js';
import type { Load } from './x-load.js';

async function open(url: string): Promise<protoo.Peer> {
  const peer = new protoo.Peer(new protoo.WebSocketTransport(url, { retry: { retries: 0 } }));
  await new Promise<void>((resolve, reject) => {
    peer.on('open', () => resolve());
    peer.on('failed', () => reject(new Error(`protoo could not connect to ${url}`)));
  });
  return peer;
}

export async function protooLoad(server: Child, peers: number): Promise<Load> {
  const { port } = await server.call<{ port: number }>('info');
  const clients: protoo.Peer[] = [];
  const producerIds: string[] = [];
  const sightings: Sightings[] = [];
  for (let i = 0; i < peers; i++) {
    const peer = await open(`ws://127.0.0.1:${port}/?roomId=storm&peerId=p${i}`);
    const seen = new Sightings();
    peer.on('notification', (n) => {
      if (n.method === 'consumerPaused') seen.seen(n.data.peerName as string, true);
      else if (n.method === 'consumerResumed') seen.seen(n.data.peerName as string, false);
    });
    await peer.request('getRouterRtpCapabilities');
    await peer.request('join', { peerName: `p${i}` });
    const transport = await peer.request<{ id: string }>('createWebRtcTransport');
    const producer = await peer.request<{ id: string }>('produce', {
      transportId: transport.id,
      kind: 'audio',
      rtpParameters: audioParameters(10_000 + i),
    });
    clients.push(peer);
    producerIds.push(producer.id);
    sightings.push(seen);
  }
  return {
    toggle: async (i, paused) => {
      const seen = sightings[(i + 1) % peers]!.expect(`p${i}`, paused);
      const method = paused ? 'pauseProducer' : 'resumeProducer';
      await Promise.all([clients[i]!.request(method, { producerId: producerIds[i] }), seen]);
    },
    close: () => {
      for (const c of clients) c.close();
    },
  };
}
