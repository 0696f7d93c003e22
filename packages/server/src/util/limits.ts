import { SfuError } from './errors.js';

/** Limits that keep one client or one room from taking the whole server. */
export interface Limits {
  /** Peers in one room. Default 200. */
  peersPerRoom: number;
  /** Transports of one peer. Default 8. */
  transportsPerPeer: number;
  /** Producers of one peer. Default 16. */
  producersPerPeer: number;
  /** Largest frame a client may send, in bytes. Default 256 KiB. */
  maxFrameSize: number;
  /** Requests and notifications per second one connection may send (a burst of twice that is allowed). Default 50. */
  messagesPerSecond: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  peersPerRoom: 200,
  transportsPerPeer: 8,
  producersPerPeer: 16,
  maxFrameSize: 256 * 1024,
  messagesPerSecond: 50,
};

/** Applies the defaults and checks the values. */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`limits.${key} must be a positive integer, got ${String(value)}`);
  }
  return resolved;
}

/** Throws LIMIT_EXCEEDED when `current` objects already reach the limit `name`. */
export function checkLimit(
  limits: Limits,
  name: 'peersPerRoom' | 'transportsPerPeer' | 'producersPerPeer',
  current: number,
  who: string,
): void {
  if (current >= limits[name]) {
    throw new SfuError(
      'LIMIT_EXCEEDED',
      `${who} has reached its limit of ${limits[name]} (${name})`,
    );
  }
}
