// The typical messages as @x sends them: from the application's objects to
// ServerMessage frames (the conversions included, as the server does them)
// and back to the application's objects (as the client does).

import type { RtcStats } from '@x/protocol';
import {
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  iceCandidateFromMessage,
  iceCandidateToMessage,
  iceParametersFromMessage,
  iceParametersToMessage,
  jsonFromMessage,
  jsonToMessage,
  mediaKind,
  type pb,
  profile,
  rtpParametersFromMessage,
  rtpParametersToMessage,
  type ServerMessageInit,
  statsListFromMessage,
  statsListToMessage,
} from '@x/protocol';
import type { AppConsumer, AppPeer, AppTransport } from './scenario.js';

function consumerInfo(c: AppConsumer): pb.ConsumerInfo.$Properties {
  return {
    id: c.id,
    kind: mediaKind.toMessage(c.kind, 'kind'),
    peerName: c.peerName,
    paused: c.paused,
    preferredProfile: profile.toMessage(c.preferredProfile, 'preferredProfile'),
    effectiveProfile: profile.toMessage(c.effectiveProfile, 'effectiveProfile'),
    appData: jsonToMessage(c.appData),
    supported: true,
    simulcast: c.simulcast,
  };
}

/** The client's reading of a ConsumerInfo: enums and appData back to their app values. */
function readConsumerInfo(c: pb.ConsumerInfo): unknown {
  return {
    id: c.id,
    kind: mediaKind.fromMessage(c.kind, 'kind'),
    paused: c.paused,
    preferredProfile: profile.fromMessage(c.preferredProfile, 'preferredProfile'),
    effectiveProfile: profile.fromMessage(c.effectiveProfile, 'effectiveProfile'),
    appData: jsonFromMessage(c.appData),
  };
}

export const xJoinResponse = (id: number, peers: AppPeer[]): ServerMessageInit => ({
  response: {
    id,
    join: {
      peers: peers.map((p) => ({
        name: p.name,
        appData: jsonToMessage(p.appData),
        consumers: p.consumers.map(consumerInfo),
      })),
      sessionId: '6f1c2b8e-4d0a-4c55-9a51-2f0d8c3b7e11',
      sessionGraceMs: 30_000,
    },
  },
});

export const xEnableConsumerResponse = (id: number, c: AppConsumer): ServerMessageInit => ({
  response: {
    id,
    enableConsumer: {
      rtpParameters: rtpParametersToMessage(c.rtpParameters),
      paused: c.paused,
      preferredProfile: profile.toMessage(c.preferredProfile, 'preferredProfile'),
      effectiveProfile: profile.toMessage(c.effectiveProfile, 'effectiveProfile'),
    },
  },
});

export const xNewConsumer = (c: AppConsumer): ServerMessageInit => ({
  notification: { newConsumer: { consumer: consumerInfo(c) } },
});

export const xCreateTransportResponse = (id: number, t: AppTransport): ServerMessageInit => ({
  response: {
    id,
    createTransport: {
      iceParameters: iceParametersToMessage(t.iceParameters),
      iceCandidates: t.iceCandidates.map((c) => iceCandidateToMessage(c)),
      dtlsParameters: dtlsParametersToMessage(t.dtlsParameters),
    },
  },
});

export const xProducerStats = (id: number, stats: RtcStats[]): ServerMessageInit => ({
  notification: { producerStats: { id, stats: statsListToMessage(stats) } },
});

/** What a client makes of a decoded ServerMessage: the app-level objects it carries. */
export function readServerMessage(m: pb.ServerMessage): unknown {
  const r = m.response;
  if (r?.join) {
    return r.join.peers.map((p) => ({
      name: p.name,
      appData: jsonFromMessage(p.appData),
      consumers: p.consumers.map(readConsumerInfo),
    }));
  }
  if (r?.enableConsumer) return rtpParametersFromMessage(r.enableConsumer.rtpParameters!);
  if (r?.createTransport) {
    const t = r.createTransport;
    return {
      iceParameters: iceParametersFromMessage(t.iceParameters!),
      iceCandidates: t.iceCandidates.map((c) => iceCandidateFromMessage(c)),
      dtlsParameters: dtlsParametersFromMessage(t.dtlsParameters!),
    };
  }
  const n = m.notification;
  if (n?.newConsumer) return readConsumerInfo(n.newConsumer.consumer!);
  if (n?.producerStats) return statsListFromMessage(n.producerStats.stats);
  throw new Error(`unexpected message ${m.message}`);
}
