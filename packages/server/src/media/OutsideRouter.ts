import type { types as ms } from '@x/mediasoup';
import type { WorkerPool } from './WorkerPool.js';

/**
 * A room's router on the worker whose ports lie outside rtcMinPort–rtcMaxPort
 * (mediasoup v2: an RtpStreamer given a `localIP` binds any port outside the
 * range; mediasoup 3.8 cannot choose a plain transport's port, so the
 * streamer goes to a worker started with the other ports). Producers are
 * piped to it as its consumers need them. Started on first use; the room
 * closes it.
 */
export class OutsideRouter {
  readonly #pool: WorkerPool;
  readonly #codecs: () => ms.RtpCodecCapability[];
  #router: Promise<ms.Router> | undefined;
  #closed = false;

  /**
   * @param pool - the server's workers.
   * @param codecs - the room's codecs (its routers' capabilities, without RTX).
   */
  constructor(pool: WorkerPool, codecs: () => ms.RtpCodecCapability[]) {
    this.#pool = pool;
    this.#codecs = codecs;
  }

  /** The router (consumers there get their producer piped in by the room). */
  router(): Promise<ms.Router> {
    if (this.#closed) return Promise.reject(new Error('the room is closed'));
    if (!this.#router) {
      const created = this.#pool
        .outsideRangeWorker()
        .then((worker) => worker.createRouter({ mediaCodecs: this.#codecs() }));
      this.#router = created;
      created
        .then((router) => {
          if (this.#closed) router.close();
          // Its worker died: the next streamer starts afresh on a new one.
          router.observer.once('close', () => {
            if (this.#router === created) this.#router = undefined;
          });
        })
        .catch(() => {
          if (this.#router === created) this.#router = undefined;
        });
    }
    return this.#router;
  }

  /** Closes the router (the room closed). */
  close(): void {
    this.#closed = true;
    this.#router?.then((r) => r.close()).catch(() => undefined);
  }
}
