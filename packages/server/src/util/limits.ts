import { SfuError } from './errors.js';

/**
 * Limits that keep one client, one address or one room from taking the whole
 * server. The defaults hold on a public server without tuning: the memory a
 * stranger can make the server hold is bounded by
 * `maxConnections × preJoinMaxFrameSize`, and a joined peer's by
 * `maxFrameSize × maxPendingMessages + maxOutboundBytes`.
 */
export interface Limits {
  /** Peers in one room. Default 200. */
  peersPerRoom: number;
  /** Transports of one peer. Default 8. */
  transportsPerPeer: number;
  /** Producers of one peer. Default 16. */
  producersPerPeer: number;
  /**
   * Consumers of one peer: a room refuses a producer that would give its
   * peers more than this many to receive. Default 256.
   */
  consumersPerPeer: number;
  /**
   * Largest frame a joined client may send, in bytes: one up to twice as
   * large is answered LIMIT_EXCEEDED, a larger one closes the connection
   * (1009). Default 256 KiB.
   */
  maxFrameSize: number;
  /**
   * Largest frame before join (enough for capabilities, appData and a token),
   * in bytes; a larger one, or an unfinished fragmented message that grows
   * past it, closes the connection (1009). Default 32 KiB.
   */
  preJoinMaxFrameSize: number;
  /** Largest appData of a peer, transport or producer, encoded, in bytes. Default 4 KiB. */
  maxAppDataSize: number;
  /** Requests and notifications per second one connection may send (a burst of twice that is allowed). Default 50. */
  messagesPerSecond: number;
  /** Messages of one connection received but not yet handled. Default 32. */
  maxPendingMessages: number;
  /** Time a new connection has to join or resume, in ms. Default 10000. */
  joinTimeoutMs: number;
  /** Open connections to one endpoint (joined or not): past it, upgrades get 503. Default 10000. */
  maxConnections: number;
  /** Open connections from one address: past it, upgrades get 429. Default 100. */
  maxConnectionsPerIp: number;
  /**
   * Bytes queued for one connection that its client does not read: past it,
   * the connection is closed (its peer keeps its grace period). Default 4 MiB.
   */
  maxOutboundBytes: number;
  /** How long a room with no peer stays open, in ms (unless the app keeps it open). Default 30000. */
  emptyRoomTimeoutMs: number;
  /** Data producers (DataChannels it sends on) of one peer. Default 8. */
  dataProducersPerPeer: number;
  /**
   * Largest data message, in bytes: the SCTP max-message-size its transports
   * announce; the media worker drops a larger message, and the client refuses
   * to send one (MESSAGE_TOO_LARGE). Default 16 KiB.
   */
  maxDataMessageSize: number;
  /**
   * Data messages one peer may send per second, over all its data producers
   * (measured each second): past it, its busiest data producer is closed and
   * its client told (LIMIT_EXCEEDED). Default 1000.
   */
  dataMessagesPerSecond: number;
  /** Data bytes one peer may send per second, as {@link dataMessagesPerSecond}. Default 2 MiB. */
  dataBytesPerSecond: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  peersPerRoom: 200,
  transportsPerPeer: 8,
  producersPerPeer: 16,
  consumersPerPeer: 256,
  maxFrameSize: 256 * 1024,
  preJoinMaxFrameSize: 32 * 1024,
  maxAppDataSize: 4 * 1024,
  messagesPerSecond: 50,
  maxPendingMessages: 32,
  joinTimeoutMs: 10_000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 100,
  maxOutboundBytes: 4 * 1024 * 1024,
  emptyRoomTimeoutMs: 30_000,
  dataProducersPerPeer: 8,
  maxDataMessageSize: 16 * 1024,
  dataMessagesPerSecond: 1000,
  dataBytesPerSecond: 2 * 1024 * 1024,
});

/** Applies the defaults and checks the values. */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  // A smaller frame limit lowers the pre-join one with it, unless that was set too.
  if (limits?.preJoinMaxFrameSize === undefined)
    resolved.preJoinMaxFrameSize = Math.min(resolved.preJoinMaxFrameSize, resolved.maxFrameSize);
  for (const [key, value] of Object.entries(resolved)) {
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`limits.${key} is not a known limit`);
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`limits.${key} must be a positive integer, got ${String(value)}`);
  }
  if (resolved.preJoinMaxFrameSize > resolved.maxFrameSize)
    throw new TypeError('limits.preJoinMaxFrameSize cannot exceed limits.maxFrameSize');
  return resolved;
}

/** Limits that count objects, checked with {@link checkLimit}. */
export type CountLimit =
  | 'peersPerRoom'
  | 'transportsPerPeer'
  | 'producersPerPeer'
  | 'consumersPerPeer'
  | 'dataProducersPerPeer';

/** Throws LIMIT_EXCEEDED when `current` objects already reach the limit `name`. */
export function checkLimit(limits: Limits, name: CountLimit, current: number, who: string): void {
  if (current >= limits[name]) {
    throw new SfuError(
      'LIMIT_EXCEEDED',
      `${who} has reached its limit of ${limits[name]} (${name})`,
    );
  }
}
