import { logger } from '@x/shared';
import { SfuError } from '../util/errors.js';
import type { Limits } from '../util/limits.js';
import type { DataProducer } from './DataProducer.js';

const log = logger('x:server:DataRateWatch');

/** How often the data producers' counters are read, in ms. */
const PERIOD_MS = 1000;

interface Counters {
  messages: number;
  bytes: number;
}

/**
 * Holds each peer to its data rate limits (`dataMessagesPerSecond`,
 * `dataBytesPerSecond`): every second it reads the counters of the room's
 * data producers from the worker (one request per data producer, while the
 * room has any), adds up each peer's, and closes the busiest data producer of
 * a peer over a limit, with a LIMIT_EXCEEDED its client is told. The other
 * peers and their channels go on. Messages go from the worker to the other
 * peers without passing through Node, so a peer can exceed its limit for at
 * most one period before it is cut.
 */
export class DataRateWatch {
  readonly #limits: Limits;
  readonly #last = new Map<DataProducer, Counters>();
  #timer: NodeJS.Timeout | undefined;
  #reading = false;
  #lastTick = 0;

  constructor(limits: Limits) {
    this.#limits = limits;
  }

  /** Starts watching a new data producer. */
  add(dataProducer: DataProducer): void {
    this.#last.set(dataProducer, { messages: 0, bytes: 0 });
    if (!this.#timer) {
      this.#lastTick = performance.now();
      this.#timer = setInterval(() => void this.#tick(), PERIOD_MS);
      this.#timer.unref();
    }
  }

  /** A data producer closed. */
  remove(dataProducer: DataProducer): void {
    this.#last.delete(dataProducer);
    if (this.#last.size === 0) this.close();
  }

  /** Stops (the room closed). */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      const now = performance.now();
      const seconds = Math.max((now - this.#lastTick) / 1000, 0.001);
      this.#lastTick = now;
      const deltas = await Promise.all(
        [...this.#last].map(async ([dp, last]) => {
          const current = await readCounters(dp);
          if (!current || !this.#last.has(dp)) return undefined;
          this.#last.set(dp, current);
          return {
            dp,
            messages: current.messages - last.messages,
            bytes: current.bytes - last.bytes,
          };
        }),
      );
      const byPeer = new Map<string, NonNullable<(typeof deltas)[number]>[]>();
      for (const d of deltas) {
        if (!d) continue;
        const list = byPeer.get(d.dp.peer.name) ?? [];
        list.push(d);
        byPeer.set(d.dp.peer.name, list);
      }
      for (const list of byPeer.values()) this.#judge(list, seconds);
    } finally {
      this.#reading = false;
    }
  }

  #judge(list: { dp: DataProducer; messages: number; bytes: number }[], seconds: number): void {
    const messages = list.reduce((n, d) => n + d.messages, 0) / seconds;
    const bytes = list.reduce((n, d) => n + d.bytes, 0) / seconds;
    const over =
      messages > this.#limits.dataMessagesPerSecond
        ? ({ limit: 'dataMessagesPerSecond', key: 'messages', rate: messages } as const)
        : bytes > this.#limits.dataBytesPerSecond
          ? ({ limit: 'dataBytesPerSecond', key: 'bytes', rate: bytes } as const)
          : undefined;
    if (!over) return;
    const busiest = list.reduce((a, b) => (b[over.key] > a[over.key] ? b : a));
    const peer = busiest.dp.peer.name;
    log.warn(
      'peer %s sent %d %s/s (limit %s): closing its data producer %d',
      peer,
      Math.round(over.rate),
      over.key,
      over.limit,
      busiest.dp.id,
    );
    busiest.dp.closeWith(
      'local',
      undefined,
      new SfuError(
        'LIMIT_EXCEEDED',
        `peer ${peer} sent ${Math.round(over.rate)} data ${over.key} per second, past its limit of ${this.#limits[over.limit]} (${over.limit}): data producer ${busiest.dp.id} was closed`,
        { field: over.limit },
      ),
    );
  }
}

async function readCounters(dp: DataProducer): Promise<Counters | undefined> {
  if (dp.closed) return undefined;
  try {
    const stats = await dp.engine.getStats();
    const s = stats[0] as { messagesReceived?: number; bytesReceived?: number } | undefined;
    return { messages: s?.messagesReceived ?? 0, bytes: s?.bytesReceived ?? 0 };
  } catch {
    // Closed meanwhile.
    return undefined;
  }
}
