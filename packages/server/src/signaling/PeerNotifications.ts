import { dtlsParametersFromMessage, type pb } from '@x/protocol';
import type { Peer } from '../media/Peer.js';
import { SfuError } from '../util/errors.js';
import { appDataFrom } from './appData.js';
import { checkCount } from './counts.js';
import { rejection } from './errors.js';
import { preferredProfile } from './PeerRequests.js';
import type { PeerSignaling } from './PeerSignaling.js';

type Body = NonNullable<pb.ClientNotification['body']>;
type Handler<K extends Body> = (
  peer: Peer,
  notification: NonNullable<pb.ClientNotification[K]>,
  signaling: PeerSignaling,
) => void;

/**
 * Handles a notification of a joined peer's client. One it cannot carry out
 * is answered with a `notificationRejected` notification naming it.
 */
export function handlePeerNotification(
  peer: Peer,
  notification: pb.ClientNotification,
  signaling: PeerSignaling,
): void {
  const body = notification.body;
  const content = body ? (notification[body] as { id?: number } | null) : null;
  try {
    if (peer.closed) throw new SfuError('INVALID_STATE', `peer ${peer.name} is closed`);
    const handler = body ? (HANDLERS[body] as Handler<typeof body> | undefined) : undefined;
    if (!body || !handler || !content)
      throw new SfuError('BAD_REQUEST', 'notification has no body this server knows');
    handler(peer, content as never, signaling);
  } catch (error) {
    signaling.send(rejection(body, content?.id ?? 0, error));
  }
}

/** The appData of a client notification, within the room's size limit. */
function appData(peer: Peer, value: pb.JsonValue | null | undefined) {
  return appDataFrom(value, 'appData', peer.room.limits.maxAppDataSize);
}

const HANDLERS: { [K in Body]: Handler<K> } = {
  leave(peer, n) {
    peer.closeWith('remote', appData(peer, n.appData));
  },

  updateTransport(peer, n, signaling) {
    checkCount(n.dtlsParameters?.fingerprints, 'fingerprints', 'dtlsParameters.fingerprints');
    // The v2 way to connect: a notification, so its failure comes back as a rejection.
    peer
      .connectTransport(n.id, dtlsParametersFromMessage(n.dtlsParameters))
      .catch((error: unknown) => signaling.send(rejection('updateTransport', n.id, error)));
  },

  closeTransport(peer, n) {
    peer.transport(n.id).closeWith('remote', appData(peer, n.appData));
  },

  enableTransportStats(peer, { id, intervalMs }, signaling) {
    signaling.stats.start(`transport:${id}`, peer.transport(id), intervalMs, (stats) => ({
      transportStats: { id, stats },
    }));
  },

  disableTransportStats(peer, { id }, signaling) {
    peer.transport(id);
    signaling.stats.stop(`transport:${id}`);
  },

  pauseProducer(peer, n) {
    peer.producer(n.id).setRemotelyPaused(true, appData(peer, n.appData));
  },

  resumeProducer(peer, n) {
    peer.producer(n.id).setRemotelyPaused(false, appData(peer, n.appData));
  },

  closeProducer(peer, n) {
    peer.producer(n.id).closeWith('remote', appData(peer, n.appData));
  },

  enableProducerStats(peer, { id, intervalMs }, signaling) {
    signaling.stats.start(`producer:${id}`, peer.producer(id), intervalMs, (stats) => ({
      producerStats: { id, stats },
    }));
  },

  disableProducerStats(peer, { id }, signaling) {
    peer.producer(id);
    signaling.stats.stop(`producer:${id}`);
  },

  pauseConsumer(peer, n) {
    peer.consumer(n.id).setRemotelyPaused(true, appData(peer, n.appData));
  },

  resumeConsumer(peer, n) {
    peer.consumer(n.id).setRemotelyPaused(false, appData(peer, n.appData));
  },

  setConsumerPreferredProfile(peer, { id, profile }) {
    peer.consumer(id).applyPreferredProfile(preferredProfile(profile, 'profile'));
  },

  enableConsumerStats(peer, { id, intervalMs }, signaling) {
    const consumer = peer.consumer(id);
    const peerName = consumer.source.peer.name;
    signaling.stats.start(`consumer:${id}`, consumer, intervalMs, (stats) => ({
      consumerStats: { id, peerName, stats },
    }));
  },

  disableConsumerStats(peer, { id }, signaling) {
    peer.consumer(id);
    signaling.stats.stop(`consumer:${id}`);
  },

  enableActiveSpeaker(peer) {
    peer.room.subscribeActiveSpeaker(peer, true);
  },

  disableActiveSpeaker(peer) {
    peer.room.subscribeActiveSpeaker(peer, false);
  },

  enableAudioLevels(peer, { intervalMs }) {
    peer.room.subscribeAudioLevels(peer, intervalMs);
  },

  disableAudioLevels(peer) {
    peer.room.subscribeAudioLevels(peer, undefined);
  },
};
