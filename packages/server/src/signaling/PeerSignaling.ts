import {
  type AppData,
  type CloseReason,
  closeReason as closeReasonEnum,
  optionalJsonToMessage,
  PROTOCOL_VERSION,
  type Profile,
  pb,
  profile as profileEnum,
} from '@x/protocol';
import type { AudioLevel } from '../media/AudioLevels.js';
import type { Consumer } from '../media/Consumer.js';
import type { Peer } from '../media/Peer.js';
import type { Producer } from '../media/Producer.js';
import type { PreferredProfile } from '../media/profiles.js';
import type { PeerLink, RecordingState } from '../media/SignalingPort.js';
import type { Transport } from '../media/Transport.js';
import { redirectUrl } from './errors.js';
import { handlePeerNotification } from './PeerNotifications.js';
import { handlePeerRequest } from './PeerRequests.js';
import { StatsSubscriptions } from './StatsSubscriptions.js';
import { consumerView, peerView } from './views.js';

const PAUSED_BY = {
  local: pb.PauseOriginator.PAUSE_ORIGINATOR_SERVER,
  source: pb.PauseOriginator.PAUSE_ORIGINATOR_SOURCE,
} as const;

/**
 * The signaling side of one peer: what its client must hear, as protocol
 * notifications (emitted as the peer's `notify` event, which its session
 * relays), its stats subscriptions, and the v2 entry points in.
 */
export class PeerSignaling implements PeerLink {
  static readonly #byPeer = new WeakMap<Peer, PeerSignaling>();

  /** The peer's client's stats subscriptions. */
  readonly stats: StatsSubscriptions;
  /** The URL its client connected with (a redirect keeps its query: the room). */
  connectionUrl: URL | undefined;
  /** The protocol version its client speaks (sent at join and resume). */
  protocolVersion = PROTOCOL_VERSION;
  readonly #peer: Peer;

  constructor(peer: Peer) {
    this.#peer = peer;
    this.stats = new StatsSubscriptions(
      (body) => this.send(body),
      () => this.protocolVersion,
    );
    PeerSignaling.#byPeer.set(peer, this);
    peer.once('close', () => this.stats.clear());
  }

  /** The signaling side of a peer. */
  static of(peer: Peer): PeerSignaling {
    const signaling = PeerSignaling.#byPeer.get(peer);
    if (!signaling) throw new Error(`peer ${peer.name} has no signaling`);
    return signaling;
  }

  /** Sends a notification to the client (through the peer's `notify` event). */
  send(body: pb.ServerNotification.$Properties): void {
    const peer = this.#peer;
    // Server-side peers (RTP ingest) have nobody to tell: build nothing for them.
    if (peer.closed || peer.listenerCount('notify') === 0) return;
    peer.emit('notify', pb.ServerNotification.create(body));
  }

  receiveRequest(request: pb.Request): Promise<pb.Response> {
    return handlePeerRequest(this.#peer, request);
  }

  receiveNotification(notification: pb.ClientNotification): void {
    handlePeerNotification(this.#peer, notification, this);
  }

  closed(
    reason: CloseReason,
    message: string,
    appData: AppData | undefined,
    redirect?: string,
  ): void {
    this.send({
      closed: {
        appData: optionalJsonToMessage(appData),
        reason: closeReasonEnum.toMessage(reason, 'reason'),
        message,
        redirectUrl: redirect ? redirectUrl(redirect, this.connectionUrl) : '',
      },
    });
  }

  transportClosed(transport: Transport, appData: AppData | undefined): void {
    this.send({ transportClosed: { id: transport.id, appData: optionalJsonToMessage(appData) } });
  }

  newPeer(peer: Peer): void {
    this.send({ newPeer: { peer: peerView(this.#peer, peer) } });
  }

  peerClosed(peer: Peer, appData: AppData | undefined): void {
    this.send({ peerClosed: { name: peer.name, appData: optionalJsonToMessage(appData) } });
  }

  producerPaused(producer: Producer, appData: AppData | undefined): void {
    this.send({ producerPaused: { id: producer.id, appData: optionalJsonToMessage(appData) } });
  }

  producerResumed(producer: Producer, appData: AppData | undefined): void {
    this.send({ producerResumed: { id: producer.id, appData: optionalJsonToMessage(appData) } });
  }

  producerClosed(producer: Producer, appData: AppData | undefined): void {
    this.send({ producerClosed: { id: producer.id, appData: optionalJsonToMessage(appData) } });
  }

  newConsumer(consumer: Consumer): void {
    this.send({ newConsumer: { consumer: consumerView(consumer) } });
  }

  consumerClosed(consumer: Consumer): void {
    this.send({ consumerClosed: { id: consumer.id, peerName: consumer.source.peer.name } });
  }

  consumerPaused(
    consumer: Consumer,
    originator: 'local' | 'source',
    appData: AppData | undefined,
  ): void {
    this.send({ consumerPaused: pauseBody(consumer, originator, appData) });
  }

  consumerResumed(
    consumer: Consumer,
    originator: 'local' | 'source',
    appData: AppData | undefined,
  ): void {
    this.send({ consumerResumed: pauseBody(consumer, originator, appData) });
  }

  consumerPreferredProfileSet(consumer: Consumer, profile: PreferredProfile): void {
    this.send({
      consumerPreferredProfileSet: {
        id: consumer.id,
        peerName: consumer.source.peer.name,
        profile: profileEnum.toMessage(profile, 'profile'),
      },
    });
  }

  activeSpeaker(peer: Peer, producer: Producer): void {
    this.send({ activeSpeaker: { peerName: peer.name, producerId: producer.id } });
  }

  audioLevels(levels: AudioLevel[]): void {
    this.send({
      audioLevels: {
        levels: levels.map((l) => ({
          peerName: l.producer.peer.name,
          producerId: l.producer.id,
          level: Math.round(l.audioLevel),
        })),
      },
    });
  }

  consumerScore(consumer: Consumer, score: number, producerScore: number): void {
    this.send({
      consumerScore: { id: consumer.id, peerName: consumer.source.peer.name, score, producerScore },
    });
  }

  producerScore(producer: Producer, scores: number[]): void {
    this.send({ producerScore: { id: producer.id, scores } });
  }

  recording(state: RecordingState): void {
    this.send({ recording: { active: state.active, peerNames: state.peerNames } });
  }

  consumerEffectiveProfileChanged(consumer: Consumer, profile: Profile): void {
    this.send({
      consumerEffectiveProfileChanged: {
        id: consumer.id,
        peerName: consumer.source.peer.name,
        profile: profileEnum.toMessage(profile, 'profile'),
      },
    });
  }
}

function pauseBody(
  consumer: Consumer,
  originator: 'local' | 'source',
  appData: AppData | undefined,
): pb.ConsumerPausedNotification.$Properties {
  return {
    id: consumer.id,
    peerName: consumer.source.peer.name,
    appData: optionalJsonToMessage(appData),
    originator: PAUSED_BY[originator],
  };
}
