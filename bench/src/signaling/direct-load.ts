// The in-process baseline of the storm: 50 audio producers on WebRTC
// transports of a mediasoup router (3.12.16, the same engine), paused and resumed by calling
// producer.pause() / resume() and awaiting them: the engine's own round trip
// (Node → worker → Node), with no signaling at all.

import type { types as ms } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import { audioParameters } from '@x/testkit';
import { type ChannelCounts, watchChannel } from '../lib/census.js';
import type { Load } from './x-load.js';

export async function directLoad(
  peers: number,
  ports: [number, number],
): Promise<Load & { workerPid: number; census(): ChannelCounts }> {
  const worker = await mediasoup.createWorker({
    logLevel: 'error',
    rtcMinPort: ports[0],
    rtcMaxPort: ports[1],
  });
  const channel = watchChannel(worker);
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const producers: ms.Producer[] = [];
  for (let i = 0; i < peers; i++) {
    const transport = await router.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }] });
    producers.push(
      await transport.produce({
        kind: 'audio',
        rtpParameters: audioParameters(10_000 + i) as ms.RtpParameters,
      }),
    );
  }
  return {
    workerPid: worker.pid,
    census: () => channel.take(),
    toggle: (i, paused) => (paused ? producers[i]!.pause() : producers[i]!.resume()),
    close: () => worker.close(),
  };
}
