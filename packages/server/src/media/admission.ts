import type { RtpCapabilities } from '@x/protocol';
import { SfuError } from '../util/errors.js';
import { checkLimit, type Limits } from '../util/limits.js';
import { assertCompatible } from './capabilities.js';
import type { Peer } from './Peer.js';

// Who may come into a room, and what a room may grow to: the checks of a
// join and of a new producer, apart from the room's bookkeeping.

/** What the admission checks see of a room. */
export interface RoomView {
  id: string;
  limits: Limits;
  rtpCapabilities: RtpCapabilities;
  peers: Iterable<Peer>;
  /** Names of peers that are joining (their router is being found). */
  joining: ReadonlySet<string>;
}

/** Producers in the room: what a new subscriber would receive. */
export function producerCount(room: RoomView): number {
  let n = 0;
  for (const peer of room.peers) n += peer.producers.length;
  return n;
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
      {
        field: 'peerName',
      },
    );
  }
  const peers = [...room.peers];
  if (peers.some((p) => p.name === name) || room.joining.has(name)) {
    throw new SfuError(
      'PEER_NAME_TAKEN',
      `peer name "${name}" is taken in room ${room.id}: choose another`,
      {
        field: 'peerName',
      },
    );
  }
  assertCompatible(room.rtpCapabilities, options.rtpCapabilities);
  checkLimit(room.limits, 'peersPerRoom', peers.length + room.joining.size, `room ${room.id}`);
  if (options.canSubscribe) {
    const producers = producerCount(room);
    if (producers > room.limits.consumersPerPeer) {
      throw new SfuError(
        'LIMIT_EXCEEDED',
        `room ${room.id} has ${producers} producers; a peer may receive at most ${room.limits.consumersPerPeer} (consumersPerPeer)`,
      );
    }
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

/** Checks that a peer may open a transport of this direction: its token and its being a spy. */
export function assertMaySend(peer: Peer, direction: 'send' | 'recv'): void {
  if (direction === 'recv' && !peer.permissions.canSubscribe) {
    throw new SfuError(
      'FORBIDDEN',
      'this peer may not receive media: its token does not allow subscribing',
    );
  }
  if (direction === 'send' && (peer.spy || !peer.permissions.canPublish)) {
    throw new SfuError(
      'FORBIDDEN',
      peer.spy
        ? 'a spy cannot send media'
        : 'this peer may not send media: its token does not allow publishing',
    );
  }
}

/**
 * Checks a plain RTP address a client gives: the server must allow client
 * plain RTP, the peer's token must, and the address must be in the allowed
 * networks (no broadcast, no multicast).
 */
export function assertPlainRtpAllowed(
  peer: Peer,
  remote: { ip: string; port: number; rtcpPort?: number },
): void {
  const policy = peer.room.context.plainRtp;
  if (!policy || !peer.permissions.canUsePlainRtp) {
    throw new SfuError(
      'FORBIDDEN',
      policy
        ? 'this peer may not use plain RTP: its token does not allow it (canUsePlainRtp)'
        : 'plain RTP transports from clients are off on this server (ServerOptions.clientPlainRtp)',
      { field: 'plainRtpParameters' },
    );
  }
  policy.check(remote.ip, remote.port);
  if (remote.rtcpPort !== undefined) policy.check(remote.ip, remote.rtcpPort);
}

/** Checks that a peer may produce: not a spy, and its token allows publishing. */
export function assertMayProduce(peer: Peer): void {
  if (peer.spy) throw new SfuError('FORBIDDEN', 'a spy cannot produce');
  if (!peer.permissions.canPublish)
    throw new SfuError(
      'FORBIDDEN',
      'this peer may not produce: its token does not allow publishing',
    );
}

/** Checks that a transport goes the way a request needs: producers on send, consumers on receive. */
export function assertDirection(
  transport: { id: number; direction: string },
  direction: 'send' | 'recv',
): void {
  if (transport.direction === direction) return;
  throw new SfuError(
    'INVALID_STATE',
    direction === 'send'
      ? `transport ${transport.id} is a receive transport: producers go on a send transport`
      : `transport ${transport.id} is a send transport: consumers go on a receive transport`,
    { field: 'transportId' },
  );
}
