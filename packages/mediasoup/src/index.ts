/**
 * mediasoup 3.12.16's Node API, with its worker built at install with meson
 * against the system's libraries (OpenSSL 3, libuv, libsrtp2, usrsctp, abseil,
 * nlohmann_json). The API is mediasoup's own (`lib/`, from its npm tarball),
 * documented in
 * [mediasoup's v3 API](https://mediasoup.org/documentation/v3/mediasoup/api/);
 * only {@link createWorker} adds a check: a worker binary that was
 * never built gives a {@link WorkerBinaryMissingError} saying how to build
 * it, instead of `spawn … ENOENT`.
 *
 * @packageDocumentation
 * @module @x/mediasoup
 */
import * as engine from '../lib/index.js';
import * as ortc from '../lib/ortc.js';
import { assertWorkerBinary } from './workerBinary.js';

export type { ObserverEvents } from '../lib/index.js';
export {
  getSupportedRtpCapabilities,
  observer,
  parseScalabilityMode,
  types,
  version,
  workerBin,
} from '../lib/index.js';
export { WorkerBinaryMissingError, workerBinaryPath } from './workerBinary.js';

/**
 * Starts a mediasoup worker process (mediasoup 3.12.16's `createWorker`).
 *
 * @throws {@link WorkerBinaryMissingError} when the worker binary is not
 * there; the message says how to build it.
 */
export async function createWorker<
  WorkerAppData extends engine.types.AppData = engine.types.AppData,
>(
  settings?: engine.types.WorkerSettings<WorkerAppData>,
): Promise<engine.types.Worker<WorkerAppData>> {
  assertWorkerBinary();
  return engine.createWorker<WorkerAppData>(settings);
}

/**
 * The RTP parameters a pipe consumer of `producer` sends with (mediasoup's
 * own `getPipeConsumerRtpParameters`, new SSRCs each call). Pass them to
 * `PipeTransport.consume({ rtpParameters })` (patch 0007) every time the
 * producer is piped to the same far end, and produce with them there: the
 * far-end producer then receives every pipe consumer made with them.
 */
export function pipeConsumerRtpParameters(
  producer: engine.types.Producer,
  options: { rtx: boolean },
): engine.types.RtpParameters {
  return ortc.getPipeConsumerRtpParameters({
    consumableRtpParameters: producer.consumableRtpParameters,
    enableRtx: options.rtx,
  });
}
