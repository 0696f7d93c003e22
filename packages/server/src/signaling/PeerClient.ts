import type { pb } from '@x/protocol';
import type { Peer } from '../media/Peer.js';
import type { Room } from '../media/Room.js';
import type { ClientFeeds } from './ClientFeeds.js';
import type { StatsSubscriptions } from './StatsSubscriptions.js';

/**
 * One peer's client, as the handlers of its requests and notifications see
 * it: the peer and room to act on, its subscriptions, and a way to tell it
 * something (a PeerSignaling is one).
 */
export interface PeerClient {
  /** The peer. */
  readonly peer: Peer;
  /** Its room. */
  readonly room: Room;
  /** The client's stats subscriptions. */
  readonly stats: StatsSubscriptions;
  /** Its active speaker and audio level subscriptions. */
  readonly feeds: ClientFeeds;
  /** Sends the client a notification. */
  send(body: pb.ServerNotification.$Properties): void;
}
