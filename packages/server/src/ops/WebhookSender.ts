import { randomUUID } from 'node:crypto';
import { logger } from '@x/shared';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER, type WebhookEvent } from './webhookSignature.js';

const log = logger('x:server:WebhookSender');

/** Options of a {@link WebhookSender}. */
export interface WebhookOptions {
  /** The URLs each event is POSTed to. */
  urls: string[];
  /** The secret that signs the bodies (the server's API secret). */
  secret: string;
  /** Events waiting (all rooms and URLs together) past which new ones are dropped and counted. Default 10000. */
  maxQueued?: number;
  /** Tries of one delivery before it is given up (counted as failed). Default 6. */
  maxAttempts?: number;
  /** Wait before the first retry, doubled at each next one (with jitter), in ms. Default 500. */
  retryDelayMs?: number;
  /** Time a receiver has to answer, in ms. Default 5000. */
  timeoutMs?: number;
}

/** What the sender did so far (the metrics read it). */
export interface WebhookCounts {
  /** Deliveries a receiver accepted (2xx). */
  delivered: number;
  /** Deliveries given up after every try. */
  failed: number;
  /** Events dropped because the queue was full. */
  dropped: number;
  /** Tries that failed and were tried again. */
  retried: number;
}

interface Delivery {
  url: string;
  body: string;
  event: WebhookEvent;
}

/**
 * POSTs webhook events, signed, to the configured URLs: in order per room
 * and URL (one delivery in flight each; a retried one holds the next back),
 * retried with exponential backoff, never awaited by what emits them (a
 * slow or dead receiver delays no join), in a bounded queue.
 */
export class WebhookSender {
  readonly #options: Required<WebhookOptions>;
  /** Per room and URL: the deliveries waiting, the first one in flight. */
  readonly #lines = new Map<string, Delivery[]>();
  #queued = 0;
  #closed = false;
  /** What it did so far. */
  readonly counts: WebhookCounts = { delivered: 0, failed: 0, dropped: 0, retried: 0 };

  constructor(options: WebhookOptions) {
    if (!Array.isArray(options.urls) || options.urls.some((u) => !/^https?:\/\//.test(u)))
      throw new TypeError('webhooks.urls must be http:// or https:// URLs');
    this.#options = {
      maxQueued: 10_000,
      maxAttempts: 6,
      retryDelayMs: 500,
      timeoutMs: 5000,
      ...options,
    };
  }

  /** Events waiting or in flight. */
  get queued(): number {
    return this.#queued;
  }

  /** Queues an event for every URL; returns at once. */
  send(event: Omit<WebhookEvent, 'id' | 'createdAt'>): void {
    if (this.#closed) return;
    const full: WebhookEvent = { id: randomUUID(), createdAt: Date.now(), ...event };
    const body = JSON.stringify(full);
    for (const url of this.#options.urls) {
      if (this.#queued >= this.#options.maxQueued) {
        this.counts.dropped++;
        log.warn('webhook queue full (%d): %s dropped', this.#queued, full.event);
        continue;
      }
      const key = `${full.room.id}\n${url}`;
      const line = this.#lines.get(key);
      this.#queued++;
      if (line) {
        line.push({ url, body, event: full });
        continue;
      }
      this.#lines.set(key, [{ url, body, event: full }]);
      void this.#drain(key);
    }
  }

  /** Stops: what waits is dropped (and counted), what is in flight ends by its timeout. */
  close(): void {
    this.#closed = true;
    for (const line of this.#lines.values()) this.counts.dropped += line.length - 1;
  }

  async #drain(key: string): Promise<void> {
    const line = this.#lines.get(key)!;
    while (line.length > 0 && !this.#closed) {
      const delivery = line[0]!;
      await this.#deliver(delivery);
      line.shift();
      this.#queued--;
    }
    this.#lines.delete(key);
  }

  async #deliver({ url, body, event }: Delivery): Promise<void> {
    const { maxAttempts, retryDelayMs, timeoutMs, secret } = this.#options;
    for (let attempt = 1; ; attempt++) {
      let why: string;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, secret),
            'x-sfu-event': event.event,
            'x-sfu-delivery': event.id,
            'x-sfu-attempt': String(attempt),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        // The answer's body is not needed: release the connection.
        await response.body?.cancel();
        if (response.ok) {
          this.counts.delivered++;
          return;
        }
        why = `HTTP ${response.status}`;
      } catch (error) {
        why = (error as Error).message;
      }
      if (attempt >= maxAttempts || this.#closed) {
        this.counts.failed++;
        log.warn('webhook %s to %s given up after %d tries (%s)', event.event, url, attempt, why);
        return;
      }
      this.counts.retried++;
      const delay = retryDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
      log.debug('webhook %s to %s: %s; again in %d ms', event.event, url, why, delay);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}
