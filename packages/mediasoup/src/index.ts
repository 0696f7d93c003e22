/**
 * mediasoup 3.8.4's Node API, with its worker built at install against the
 * system OpenSSL 3. The API is mediasoup's own (`lib/`, from its npm
 * tarball), documented in
 * [mediasoup's v3 API](https://mediasoup.org/documentation/v3/mediasoup/api/);
 * only {@link createWorker} adds a check: a worker binary that was
 * never built gives a {@link WorkerBinaryMissingError} saying how to build
 * it, instead of `spawn … ENOENT`.
 *
 * @packageDocumentation
 * @module @x/mediasoup
 */
import * as engine from '../lib/index.js';
import { assertWorkerBinary } from './workerBinary.js';

export {
  getSupportedRtpCapabilities,
  observer,
  parseScalabilityMode,
  types,
  version,
} from '../lib/index.js';
export { WorkerBinaryMissingError, workerBinaryPath } from './workerBinary.js';

/**
 * Starts a mediasoup worker process (mediasoup 3.8.4's `createWorker`).
 *
 * @throws {@link WorkerBinaryMissingError} when the worker binary is not
 * there; the message says how to build it.
 */
export async function createWorker(
  settings?: engine.types.WorkerSettings,
): Promise<engine.types.Worker> {
  assertWorkerBinary();
  return engine.createWorker(settings);
}
