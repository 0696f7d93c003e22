import { SfuError } from '../util/errors.js';
import type { PlainRtpPolicy } from './PlainRtpPolicy.js';

// What one peer may do, and the checks of its own requests: apart from the
// room-wide checks (admission.ts), so that a peer checks itself without
// knowing its room.

/** What a peer may do, from its access token (all allowed without one). */
export interface PeerPermissions {
  /** May create producers. */
  canPublish: boolean;
  /** May receive media. */
  canSubscribe: boolean;
  /**
   * May create plain RTP transports (to or from an address of its choice,
   * within the server's `clientPlainRtp.allowedNetworks`). Default false.
   */
  canUsePlainRtp: boolean;
}

/** What the checks need to know of the peer. */
interface Who {
  spy: boolean;
  permissions: Readonly<PeerPermissions>;
}

/** Checks that a peer may open a transport of this direction: its token and its being a spy. */
export function assertMaySend(peer: Who, direction: 'send' | 'recv'): void {
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
 * plain RTP (`policy`), the peer's token must, and the address must be in the
 * allowed networks (no broadcast, no multicast).
 */
export function assertPlainRtpAllowed(
  peer: Who,
  policy: PlainRtpPolicy | undefined,
  remote: { ip: string; port: number; rtcpPort?: number },
): void {
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
export function assertMayProduce(peer: Who): void {
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
