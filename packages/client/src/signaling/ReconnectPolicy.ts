// When a lost connection tries again, and when it gives up: one object the
// app may replace (as LiveKit's ReconnectPolicy), rather than constants.

/** What a {@link ReconnectPolicy} knows when it decides about the next attempt. */
export interface ReconnectContext {
  /** Attempts made so far in this reconnection (0 before the first). */
  readonly retryCount: number;
  /** Time since the connection was lost, in ms. */
  readonly elapsedMs: number;
  /** Why it was lost: `'closed'` (the socket closed), `'ping-timeout'` (the server went silent) or `'redirected'`. */
  readonly reason: ReconnectReason;
}

/** Why a connection reconnects. */
export type ReconnectReason = 'closed' | 'ping-timeout' | 'redirected';

/**
 * Decides when a lost connection tries again. `connect(room, url, {
 * reconnectPolicy })` takes one; the default is {@link DefaultReconnectPolicy}.
 */
export interface ReconnectPolicy {
  /** The wait before the next attempt, in ms; `null` gives up (the room is left, `failed` is emitted). */
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

/** The default schedule: LiveKit's, about 50 s in all before it gives up. */
export const DEFAULT_RECONNECT_DELAYS: readonly number[] = [
  0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000,
];

/**
 * Waits `delays[retryCount]` ms (±`jitter`, a fraction: 0.5 spreads each wait
 * over 50–150 %, so that the clients of a restarted server do not all come
 * back at once), and gives up after the last one.
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly #delays: readonly number[];
  readonly #jitter: number;

  constructor(delays: readonly number[] = DEFAULT_RECONNECT_DELAYS, jitter = 0.5) {
    if (!delays.every((d) => Number.isFinite(d) && d >= 0))
      throw new TypeError('reconnect delays must be numbers of ms, 0 or more');
    if (!(jitter >= 0 && jitter <= 1)) throw new TypeError('jitter must be between 0 and 1');
    this.#delays = [...delays];
    this.#jitter = jitter;
  }

  nextRetryDelayInMs({ retryCount }: ReconnectContext): number | null {
    const delay = this.#delays[retryCount];
    if (delay === undefined) return null;
    return delay * (1 - this.#jitter + 2 * this.#jitter * Math.random());
  }
}
