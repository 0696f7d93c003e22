import type { AppData } from '@x/protocol';
import type { Emitter } from '@x/shared';
import type { Originator } from './Originator.js';

/** The events every member of a room has. */
export type RoomMemberEvents = {
  /**
   * The member left the room: closed by the app ('local'), or by its client
   * or, for a peer of another node, by that node ('remote').
   */
  close: [originator: Originator, appData: AppData | undefined];
};

/**
 * A participant of a room, as the room and the producers it sends see it: a
 * {@link Peer} of this server or, in a cluster, a `RemotePeer` that another
 * node hosts (its producers reach this node through pipes). What is only
 * possible for a peer of this server (transports, consumers, requests of its
 * client) is on {@link Peer}: `member instanceof Peer` tells which it is.
 */
export interface RoomMember extends Emitter<RoomMemberEvents> {
  /** Its name, unique in the room. */
  readonly name: string;
  /** The app's data about it, from its join. */
  readonly appData: AppData | undefined;
  /** A spy receives media, sends none, and no other member sees it. */
  readonly spy: boolean;
  /** Whether it has left the room. */
  readonly closed: boolean;
  /** Takes it out of the room. */
  close(appData?: AppData): void;
}
