import { type pb, type RtcStats, statsListToMessage } from '@x/protocol';
import { logger } from '@x/shared';

const log = logger('x:server:StatsSubscriptions');

/** Stats every second at most: a client cannot make the worker gather them faster. */
export const MIN_STATS_INTERVAL_MS = 1000;

/** What stats are taken of: one of the peer's objects (its observer says when it closes). */
export interface StatsSource {
  getStats(): Promise<RtcStats[]>;
  readonly observer: { once(event: 'close', listener: () => void): unknown };
}

/**
 * A client's stats subscriptions (`enableTransportStats` and the like): one
 * timer per object, stopped when the object closes, the client disables it,
 * or the peer goes.
 */
export class StatsSubscriptions {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #send: (body: pb.ServerNotification.$Properties) => void;
  readonly #protocolVersion: () => number;

  /**
   * @param send - sends a notification to the client.
   * @param protocolVersion - the protocol version the client speaks (stats
   *   for a client of version 1 carry some members in `extra`).
   */
  constructor(
    send: (body: pb.ServerNotification.$Properties) => void,
    protocolVersion: () => number,
  ) {
    this.#send = send;
    this.#protocolVersion = protocolVersion;
  }

  /** Sends `body(stats)` every `intervalMs` (at least a second) until stopped. */
  start(
    key: string,
    source: StatsSource,
    intervalMs: number,
    body: (stats: pb.Stats[]) => pb.ServerNotification.$Properties,
  ): void {
    this.stop(key);
    const interval = Math.max(MIN_STATS_INTERVAL_MS, intervalMs || MIN_STATS_INTERVAL_MS);
    const timer = setInterval(() => {
      source
        .getStats()
        .then((stats) => {
          if (this.#timers.get(key) !== timer) return;
          const protocolVersion = this.#protocolVersion();
          this.#send(body(statsListToMessage(stats, 'stats', { protocolVersion })));
        })
        .catch((error: unknown) => log.debug('%s stats failed: %o', key, error));
    }, interval);
    timer.unref();
    this.#timers.set(key, timer);
    source.observer.once('close', () => {
      if (this.#timers.get(key) === timer) this.stop(key);
    });
  }

  /** Stops one subscription. */
  stop(key: string): void {
    clearInterval(this.#timers.get(key));
    this.#timers.delete(key);
  }

  /** Stops them all. */
  clear(): void {
    for (const timer of this.#timers.values()) clearInterval(timer);
    this.#timers.clear();
  }
}
