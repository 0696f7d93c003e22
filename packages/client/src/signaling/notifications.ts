// The server's notifications, one handler each: protobuf in, one domain call
// on the room's SignalListener out. The table is typed over the oneof's
// member names, so a notification added to the schema does not compile until
// it has a handler here.
import { jsonFromMessage, type pb, profile, statsListFromMessage } from '@x/protocol';
import { logger } from '@x/shared';
import type { PreferredProfile } from '../room/profiles.js';
import type { SignalListener } from '../room/Signal.js';
import {
  closeReasonFromMessage,
  consumerFromMessage,
  dataConsumerFromMessage,
  peerFromMessage,
  requestErrorFromMessage,
} from './convert.js';

const log = logger('x:client:notifications');

type Name = NonNullable<pb.ServerNotification['body']>;
type Handlers = {
  [K in Name]: (body: NonNullable<pb.ServerNotification[K]>, listener: SignalListener) => void;
};

const handlers: Handlers = {
  closed(n, l) {
    log.debug('closed by the server: %s', n.message);
    l.closed(jsonFromMessage(n.appData), closeReasonFromMessage(n.reason));
  },
  transportClosed: (n, l) => l.transportClosed(n.id, jsonFromMessage(n.appData)),
  transportStats: (n, l) => l.transportStats(n.id, statsListFromMessage(n.stats)),
  newPeer(n, l) {
    if (n.peer) l.newPeer(peerFromMessage(n.peer));
  },
  peerClosed: (n, l) => l.peerClosed(n.name, jsonFromMessage(n.appData)),
  producerPaused: (n, l) => l.producerPaused(n.id, jsonFromMessage(n.appData)),
  producerResumed: (n, l) => l.producerResumed(n.id, jsonFromMessage(n.appData)),
  producerClosed: (n, l) => l.producerClosed(n.id, jsonFromMessage(n.appData)),
  producerStats: (n, l) => l.producerStats(n.id, statsListFromMessage(n.stats)),
  newConsumer(n, l) {
    if (n.consumer) l.newConsumer(consumerFromMessage(n.consumer));
  },
  consumerClosed: (n, l) => l.consumerClosed(n.id, n.peerName),
  consumerPaused: (n, l) => l.consumerPaused(n.id, n.peerName, jsonFromMessage(n.appData)),
  consumerResumed: (n, l) => l.consumerResumed(n.id, n.peerName, jsonFromMessage(n.appData)),
  consumerPreferredProfileSet: (n, l) =>
    l.consumerPreferredProfileSet(
      n.id,
      n.peerName,
      profile.fromMessage(n.profile, 'profile') as PreferredProfile,
    ),
  consumerEffectiveProfileChanged: (n, l) =>
    l.consumerEffectiveProfileChanged(n.id, n.peerName, profile.fromMessage(n.profile, 'profile')),
  consumerStats: (n, l) => l.consumerStats(n.id, n.peerName, statsListFromMessage(n.stats)),
  // SignalClient takes batches to the join or resume that waits for them: one here came unasked.
  peerBatch: (n) => log.warn('a batch of %d peers came without a join or resume', n.peers.length),
  recording: (n, l) => l.recording({ active: n.active, peerNames: [...n.peerNames] }),
  roomAppDataChanged: (n, l) => l.roomAppDataChanged(jsonFromMessage(n.appData)),
  peerAppDataChanged: (n, l) => l.peerAppDataChanged(n.peerName, jsonFromMessage(n.appData)),
  activeSpeaker: (n, l) => l.activeSpeaker(n.peerName, n.producerId),
  audioLevels: (n, l) =>
    l.audioLevels(
      n.levels.map((a) => ({ peerName: a.peerName, producerId: a.producerId, level: a.level })),
    ),
  consumerScore: (n, l) => l.consumerScore(n.id, n.peerName, n.score, n.producerScore),
  producerScore: (n, l) => l.producerScore(n.id, [...n.scores]),
  // The connection takes the pongs of its pings; one that reaches here (the
  // app carries the bytes and pings itself) says nothing to the room.
  pong: () => undefined,
  newDataConsumer(n, l) {
    if (n.dataConsumer) l.newDataConsumer(dataConsumerFromMessage(n.dataConsumer));
  },
  dataConsumerClosed: (n, l) => l.dataConsumerClosed(n.id, n.peerName),
  dataProducerClosed: (n, l) =>
    l.dataProducerClosed(
      n.id,
      jsonFromMessage(n.appData),
      n.error ? requestErrorFromMessage(n.error) : undefined,
    ),
  dataMessage(n, l) {
    l.dataMessage(n.label, n.payload === 'binary' ? n.binary! : (n.text ?? ''));
  },
  notificationRejected(n, l) {
    log.warn('the server rejected %s %d: %s', n.notification, n.id, n.error?.message);
    l.notificationRejected(requestErrorFromMessage(n.error), n.notification, n.id);
  },
};

/**
 * Hands a server notification to the listener. One this version does not
 * know is logged and dropped; one it cannot convert, or whose handling
 * throws, is logged: a bad notification never breaks the room.
 */
export function dispatchNotification(
  notification: pb.ServerNotification,
  listener: SignalListener,
): void {
  const name = notification.body;
  if (!name) {
    log.warn('unknown notification');
    return;
  }
  const handler = handlers[name] as (body: unknown, listener: SignalListener) => void;
  try {
    handler(notification[name], listener);
  } catch (error) {
    log.error('notification %s could not be handled: %o', name, error);
  }
}
