// The same content as mediasoup v2's protocol carried it, in the protoo
// envelopes of the v2 demo: responses `{response, id, ok, data}`, and
// mediasoup notifications inside a protoo notification whose data is the v2
// notification object (`{method, target, notification, ...fields}`).
// v2 sent a consumer's rtpParameters in join and newConsumer; its
// enableConsumer response carried only the pause and profile state.
import type { RtcStats } from '@x/protocol';
import type { AppConsumer, AppPeer, AppTransport } from './scenario.js';

const consumerJson = (c: AppConsumer) => ({
  id: c.id,
  kind: c.kind,
  rtpParameters: c.rtpParameters,
  paused: c.paused,
  preferredProfile: c.preferredProfile,
  effectiveProfile: c.effectiveProfile,
  appData: c.appData,
});

const response = (id: number, data: unknown) => ({ response: true, id, ok: true, data });

const mediasoupNotification = (data: Record<string, unknown>) => ({
  notification: true,
  method: 'mediasoup-notification',
  data: { target: 'peer', notification: true, ...data },
});

export const v2JoinResponse = (id: number, peers: AppPeer[]) =>
  response(id, {
    peers: peers.map((p) => ({
      name: p.name,
      appData: p.appData,
      consumers: p.consumers.map(consumerJson),
    })),
  });

export const v2EnableConsumerResponse = (id: number, c: AppConsumer) =>
  response(id, {
    paused: c.paused,
    preferredProfile: c.preferredProfile,
    effectiveProfile: c.effectiveProfile,
  });

export const v2NewConsumer = (c: AppConsumer) =>
  mediasoupNotification({ method: 'newConsumer', peerName: c.peerName, ...consumerJson(c) });

export const v2CreateTransportResponse = (id: number, t: AppTransport) =>
  response(id, {
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
  });

export const v2ProducerStats = (id: number, stats: RtcStats[]) =>
  mediasoupNotification({ method: 'producerStats', id, stats });
