// The @x side of the storm: 50 bare protocol clients (protobuf over
// WebSocket) in a room of an @x server in its own process, each with an
// audio producer. A pause or resume is the protocol's pauseProducer /
// resumeProducer notification; it is seen when the next peer in the ring
// receives consumerPaused / consumerResumed for it (every other peer gets
// one too: 49 notifications per op).

import { audioParameters, ProtocolClient } from '@x/testkit';
import type { Child } from '../lib/child.js';
import { Sightings, type Toggle } from './storm.js';

export interface Load {
  toggle: Toggle;
  close(): void;
}

export async function xLoad(server: Child, peers: number): Promise<Load> {
  const { port } = await server.call<{ port: number }>('info');
  const url = `ws://127.0.0.1:${port}/?roomId=storm`;
  const clients: ProtocolClient[] = [];
  const sightings: Sightings[] = [];
  for (let i = 0; i < peers; i++) {
    const client = await ProtocolClient.connect(url, { record: false, timeoutMs: 30_000 });
    const seen = new Sightings();
    client.onNotification = (n) => {
      if (n.consumerPaused) seen.seen(n.consumerPaused.peerName, true);
      else if (n.consumerResumed) seen.seen(n.consumerResumed.peerName, false);
    };
    const caps = await client.queryRoom();
    await client.join(`p${i}`, caps);
    await client.createTransport(1, 'send');
    await client.produce(1, 1, 'audio', audioParameters(10_000 + i));
    clients.push(client);
    sightings.push(seen);
  }
  return {
    toggle: (i, paused) => {
      const seen = sightings[(i + 1) % peers]!.expect(`p${i}`, paused);
      clients[i]!.notify(paused ? { pauseProducer: { id: 1 } } : { resumeProducer: { id: 1 } });
      return seen;
    },
    close: () => {
      for (const c of clients) c.leave();
    },
  };
}
