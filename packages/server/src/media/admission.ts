import type { RtpCapabilities } from '@x/protocol';
import { SfuError } from '../util/errors.js';
import { checkLimit, type Limits } from '../util/limits.js';
import { assertCompatible } from './capabilities.js';
import type { Peer } from './Peer.js';

// Who may come into a room, and what a room may grow to: the room-wide checks
// of a join and of a new producer, apart from the room's bookkeeping.

/** What the admission checks see of a room. */
export interface RoomView {
  id: string;
  limits: Limits;
  rtpCapabilities: RtpCapabilities;
  /** Its members, on this server and (in a cluster) on other nodes. */
  members: number;
  /** Whether a member (or a joiner) has this name. */
  hasName(name: string): boolean;
  /** Names of peers that are joining (their router is being found). */
  joining: ReadonlySet<string>;
  /** Producers in the room: what a new subscriber would receive. */
  producers: number;
  /** Its peers on this server: those that receive media here. */
  peers: Iterable<Peer>;
}

/** Checks a join: a valid free name, a codec in common, room for one more, not too many to receive. */
export function assertCanJoin(
  room: RoomView,
  options: { name: string; rtpCapabilities: RtpCapabilities; canSubscribe: boolean },
): void {
  const { name } = options;
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new SfuError(
      'BAD_REQUEST',
      'peerName must be a non-empty string of at most 256 characters',
      { field: 'peerName' },
    );
  }
  if (room.hasName(name) || room.joining.has(name)) {
    throw new SfuError(
      'PEER_NAME_TAKEN',
      `peer name "${name}" is taken in room ${room.id}: choose another`,
      { field: 'peerName' },
    );
  }
  assertCompatible(room.rtpCapabilities, options.rtpCapabilities);
  checkLimit(room.limits, 'peersPerRoom', room.members + room.joining.size, `room ${room.id}`);
  if (options.canSubscribe && room.producers > room.limits.consumersPerPeer) {
    throw new SfuError(
      'LIMIT_EXCEEDED',
      `room ${room.id} has ${room.producers} producers; a peer may receive at most ${room.limits.consumersPerPeer} (consumersPerPeer)`,
    );
  }
}

/**
 * Refuses a new producer of `owner` that would give a peer of the room more
 * consumers than `limits.consumersPerPeer`: every producer costs each
 * subscriber one, so a room's cost grows with peers × producers.
 */
export function assertFanOut(room: RoomView, owner: Peer): void {
  const limit = room.limits.consumersPerPeer;
  for (const peer of room.peers) {
    if (peer === owner || !peer.permissions.canSubscribe) continue;
    if (peer.consumers.length >= limit) {
      throw new SfuError(
        'LIMIT_EXCEEDED',
        `room ${room.id} cannot take another producer: peer ${peer.name} already receives ${limit} (consumersPerPeer); close a producer first`,
      );
    }
  }
}
