import { dtlsParametersFromMessage, type pb } from '@x/protocol';
import { SfuError } from '../util/errors.js';
import { appDataFrom } from './appData.js';
import { checkCount } from './counts.js';
import { rejection } from './errors.js';
import type { PeerClient } from './PeerClient.js';
import { preferredProfile } from './PeerRequests.js';

type Body = NonNullable<pb.ClientNotification['body']>;
type Handler<K extends Body> = (
  client: PeerClient,
  notification: NonNullable<pb.ClientNotification[K]>,
) => void;

/**
 * Handles a notification of a joined peer's client. One it cannot carry out
 * is answered with a `notificationRejected` notification naming it.
 */
export function handlePeerNotification(
  client: PeerClient,
  notification: pb.ClientNotification,
): void {
  const { peer } = client;
  const body = notification.body;
  const content = body ? (notification[body] as { id?: number } | null) : null;
  try {
    if (peer.closed) throw new SfuError('INVALID_STATE', `peer ${peer.name} is closed`);
    const handler = body ? (HANDLERS[body] as Handler<typeof body> | undefined) : undefined;
    if (!body || !handler || !content)
      throw new SfuError('BAD_REQUEST', 'notification has no body this server knows');
    handler(client, content as never);
  } catch (error) {
    client.send(rejection(body, content?.id ?? 0, error));
  }
}

/** The appData of a client notification, within the room's size limit. */
function appData(client: PeerClient, value: pb.JsonValue | null | undefined) {
  return appDataFrom(value, 'appData', client.room.limits.maxAppDataSize);
}

const HANDLERS: { [K in Body]: Handler<K> } = {
  leave(client, n) {
    client.peer.closeWith('remote', appData(client, n.appData));
  },

  updateTransport(client, n) {
    checkCount(n.dtlsParameters?.fingerprints, 'fingerprints', 'dtlsParameters.fingerprints');
    // The v2 way to connect: a notification, so its failure comes back as a rejection.
    client.peer
      .connectTransport(n.id, dtlsParametersFromMessage(n.dtlsParameters))
      .catch((error: unknown) => client.send(rejection('updateTransport', n.id, error)));
  },

  closeTransport(client, n) {
    client.peer.transport(n.id).closeWith('remote', appData(client, n.appData));
  },

  enableTransportStats(client, { id, intervalMs }) {
    client.stats.start(`transport:${id}`, client.peer.transport(id), intervalMs, (stats) => ({
      transportStats: { id, stats },
    }));
  },

  disableTransportStats(client, { id }) {
    client.peer.transport(id);
    client.stats.stop(`transport:${id}`);
  },

  pauseProducer(client, n) {
    client.peer.producer(n.id).setRemotelyPaused(true, appData(client, n.appData));
  },

  resumeProducer(client, n) {
    client.peer.producer(n.id).setRemotelyPaused(false, appData(client, n.appData));
  },

  closeProducer(client, n) {
    client.peer.producer(n.id).closeWith('remote', appData(client, n.appData));
  },

  closeDataProducer(client, n) {
    client.peer.dataProducer(n.id).closeWith('remote', appData(client, n.appData));
  },

  enableProducerStats(client, { id, intervalMs }) {
    client.stats.start(`producer:${id}`, client.peer.producer(id), intervalMs, (stats) => ({
      producerStats: { id, stats },
    }));
  },

  disableProducerStats(client, { id }) {
    client.peer.producer(id);
    client.stats.stop(`producer:${id}`);
  },

  pauseConsumer(client, n) {
    client.peer.consumer(n.id).setRemotelyPaused(true, appData(client, n.appData));
  },

  resumeConsumer(client, n) {
    client.peer.consumer(n.id).setRemotelyPaused(false, appData(client, n.appData));
  },

  setConsumerPreferredProfile(client, { id, profile }) {
    client.peer.consumer(id).applyPreferredProfile(preferredProfile(profile, 'profile'));
  },

  enableConsumerStats(client, { id, intervalMs }) {
    const consumer = client.peer.consumer(id);
    const peerName = consumer.source.peer.name;
    client.stats.start(`consumer:${id}`, consumer, intervalMs, (stats) => ({
      consumerStats: { id, peerName, stats },
    }));
  },

  disableConsumerStats(client, { id }) {
    client.peer.consumer(id);
    client.stats.stop(`consumer:${id}`);
  },

  enableActiveSpeaker(client) {
    client.feeds.activeSpeaker(true);
  },

  disableActiveSpeaker(client) {
    client.feeds.activeSpeaker(false);
  },

  enableAudioLevels(client, { intervalMs }) {
    client.feeds.audioLevels(intervalMs);
  },

  disableAudioLevels(client) {
    client.feeds.audioLevels(undefined);
  },

  // Liveness: the client hears back at once, or reconnects (see SignalingOptions.ping).
  ping(client, { seq }) {
    client.send({ pong: { seq } });
  },
};
