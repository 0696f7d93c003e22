import { logger } from '@x/shared';
import { SfuError } from '../util/errors.js';

const log = logger('x:server:workerRequests');

/**
 * How long the server waits for the media worker to create something, in
 * ms. mediasoup 3.8 gave up on a request after 15 s; 3.12 waits forever, so
 * a stalled worker would hold up its clients' requests (each connection
 * handles its messages one at a time) until it went on.
 */
export const WORKER_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Asks the worker to create something (a transport, producer or consumer);
 * after `timeoutMs` without an answer the request fails (INTERNAL, "request
 * timeout": the client may try again), and whatever the worker still creates
 * for it later is closed at once, so that nothing is left that nobody knows.
 */
export function createdInTime<T extends { close(): void }>(
  what: string,
  create: () => Promise<T>,
  timeoutMs = WORKER_REQUEST_TIMEOUT_MS,
): Promise<T> {
  const request = create();
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(
        new SfuError(
          'INTERNAL',
          `request timeout: the media worker did not create the ${what} within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    request.then(
      (created) => {
        clearTimeout(timer);
        if (!timedOut) return resolve(created);
        log.warn('the media worker created a %s after its request timed out: closed', what);
        created.close();
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!timedOut) reject(error);
      },
    );
  });
}
