import { PROTOCOL_VERSION, pb } from '@x/protocol';
import type { Peer } from '../media/Peer.js';
import type { PeerLink } from '../media/PeerLink.js';
import type { Room } from '../media/Room.js';
import { ClientFeeds } from './ClientFeeds.js';
import type { PeerClient } from './PeerClient.js';
import { handlePeerNotification } from './PeerNotifications.js';
import { PeerNotifier } from './PeerNotifier.js';
import { handlePeerRequest } from './PeerRequests.js';
import { StatsSubscriptions } from './StatsSubscriptions.js';

/** Where a peer's notifications go: its client's connection (a session), when it has one. */
export type NotificationSink = (notification: pb.ServerNotification) => void;

/**
 * The signaling side of one peer: its client's requests and notifications
 * in (mediasoup v2's entry points), and what the client must hear out, to
 * its session's connection and as the peer's v2 `notify` event (for apps
 * that relay notifications themselves). Created for each peer at its join:
 * by the connection that joined it, or by the server's signaling for peers
 * joined otherwise.
 */
export class PeerSignaling implements PeerLink, PeerClient {
  /** The peer. */
  readonly peer: Peer;
  /** Its room. */
  readonly room: Room;
  /** The peer's client's stats subscriptions. */
  readonly stats: StatsSubscriptions;
  /** Its active speaker and audio level subscriptions. */
  readonly feeds: ClientFeeds;
  /** The URL its client connected with (a redirect keeps its query: the room). */
  connectionUrl: URL | undefined;
  /** The protocol version its client speaks (sent at join and resume). */
  protocolVersion = PROTOCOL_VERSION;
  /** Where notifications go besides the v2 `notify` event: the session's connection. */
  sink: NotificationSink | undefined;
  #ended = false;

  constructor(peer: Peer, room: Room) {
    this.peer = peer;
    this.room = room;
    const send = (body: pb.ServerNotification.$Properties) => this.send(body);
    this.stats = new StatsSubscriptions(send, () => this.protocolVersion);
    this.feeds = new ClientFeeds(room, send);
    // Watching before the peer's own objects exist; its `closed` goes out before it ends.
    new PeerNotifier({
      peer,
      room,
      send,
      feeds: this.feeds,
      connectionUrl: () => this.connectionUrl,
    });
    peer.observer.once('close', () => {
      this.#ended = true;
      this.stats.clear();
    });
  }

  /** Sends a notification to the client: to its connection, and as the peer's `notify` event. */
  send(body: pb.ServerNotification.$Properties): void {
    if (this.#ended) return;
    const notify = this.peer.listenerCount('notify') > 0;
    // Server-side peers (RTP ingest) have nobody to tell: build nothing for them.
    if (!this.sink && !notify) return;
    const notification = pb.ServerNotification.create(body);
    this.sink?.(notification);
    if (notify) this.peer.emit('notify', notification);
  }

  receiveRequest(request: pb.Request): Promise<pb.Response> {
    return handlePeerRequest(this, request);
  }

  receiveNotification(notification: pb.ClientNotification): void {
    handlePeerNotification(this, notification);
  }
}
