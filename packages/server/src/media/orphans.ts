import type { types as ms } from '@x/mediasoup';
import { logger } from '@x/shared';

const log = logger('x:server:orphans');

// What mediasoup 3.8.4 keeps of its objects (TypeScript-private properties,
// plain at run time). Read here only: a worker that answers a request after
// its timeout creates the object, but the JS side has forgotten the request
// and never wraps it, so only these maps and the channel can find and close it.
interface Internals {
  _channel: { request(method: string, internal: object): Promise<unknown> };
  _internal: Record<string, string>;
}
type RouterInternals = Internals & { _transports: Map<string, ms.Transport> };
type TransportInternals = Internals & {
  _producers: Map<string, ms.Producer>;
  _consumers: Map<string, ms.Consumer>;
};

/** Whether an error is mediasoup's request timeout (the worker did not answer in time). */
export function isRequestTimeout(error: unknown): boolean {
  return error instanceof Error && /request timeout/i.test(error.message);
}

const reaping = new WeakMap<ms.Router, Promise<number>>();

/**
 * After a request to the worker timed out, the worker may still create what
 * was asked (a stalled worker catches up): once it answers again, close the
 * transports, producers and consumers of `router` that the JS side does not
 * know. Resolves with how many were closed.
 */
export function reapOrphans(router: ms.Router, retryMs = 1000, attempts = 120): Promise<number> {
  let pending = reaping.get(router);
  if (!pending) {
    pending = reap(router, retryMs, attempts).finally(() => reaping.delete(router));
    reaping.set(router, pending);
  }
  return pending;
}

/** Runs `create`; on a timeout, reaps what the worker creates for it later, then rethrows. */
export async function reapingOnTimeout<T>(router: ms.Router, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (isRequestTimeout(error)) {
      reapOrphans(router).catch((e: unknown) => log.warn('reaping orphans failed: %o', e));
    }
    throw error;
  }
}

async function reap(router: ms.Router, retryMs: number, attempts: number): Promise<number> {
  let dump: { transportIds: string[] } | undefined;
  for (let attempt = 0; attempt < attempts && !router.closed; attempt++) {
    try {
      dump = (await router.dump()) as { transportIds: string[] };
      break;
    } catch {
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
  if (!dump || router.closed) return 0;
  const r = router as unknown as RouterInternals;
  let closed = 0;
  for (const transportId of dump.transportIds) {
    if (r._transports.has(transportId)) continue;
    await r._channel.request('transport.close', { ...r._internal, transportId });
    closed++;
  }
  for (const transport of r._transports.values()) {
    const t = transport as unknown as TransportInternals;
    const { producerIds, consumerIds } = (await transport.dump()) as {
      producerIds: string[];
      consumerIds: string[];
    };
    for (const producerId of producerIds) {
      if (t._producers.has(producerId)) continue;
      await t._channel.request('producer.close', { ...t._internal, producerId });
      closed++;
    }
    for (const consumerId of consumerIds) {
      if (t._consumers.has(consumerId)) continue;
      await t._channel.request('consumer.close', { ...t._internal, consumerId });
      closed++;
    }
  }
  if (closed > 0)
    log.warn('closed %d objects the worker created after their request timed out', closed);
  return closed;
}
