import type { types as ms } from '@x/mediasoup';
import { Emitter, logger } from '@x/shared';
import type { Producer } from './Producer.js';
import { type ProducerPipe, RouterPipes } from './RouterPipes.js';
import type { WorkerPool } from './WorkerPool.js';

const log = logger('x:server:RoomRouters');

/** Events of a room's {@link RoomRouters}. */
export type RoomRoutersEvents = {
  /** A router of the room closed with its worker: what lived on it is gone. */
  routerdied: [router: ms.Router, worker: ms.Worker];
};

interface Pipe {
  /** Consumers (and observers) of the piped producer on the target router. */
  users: number;
  /** Resolves once the producer exists on the target router. */
  ready: Promise<void>;
  /** The pipe's consumer of the original (created paused) and the copy on the target router, once piped. */
  ends: ProducerPipe | undefined;
  /** The feed's resume, once asked for: media goes through from then on. */
  flowing: Promise<void> | undefined;
}

/**
 * The routers of one room, at most one per media worker: a room is not bound
 * to one core. Each peer lives on a home router (placed where a worker has
 * headroom); a producer is piped ({@link RouterPipes}, same id on both
 * sides) to another router of the room when something there consumes it,
 * once for all its consumers there, and the pipe closes when the last of them
 * goes. A pipe carries media from the first {@link flow} on (a consumer
 * starting, or an observer), so that its first key frame is one a consumer
 * can show.
 */
export class RoomRouters extends Emitter<RoomRoutersEvents> {
  readonly #pool: WorkerPool;
  readonly #mediaCodecs: ms.RtpCodecCapability[];
  readonly #maxConsumersPerWorker: number;
  readonly #routers = new Map<ms.Worker, ms.Router>();
  readonly #creating = new Map<ms.Worker, Promise<ms.Router>>();
  /** Consumers of peers placed on a router and not in the room yet ({@link place}). */
  readonly #placing = new Map<ms.Router, number>();
  readonly #pipes = new Map<Producer, Map<ms.Router, Pipe>>();
  readonly #routerPipes = new RouterPipes();
  #closed = false;
  #last: ms.Router;

  private constructor(
    pool: WorkerPool,
    mediaCodecs: ms.RtpCodecCapability[],
    maxConsumersPerWorker: number,
    first: ms.Router,
    worker: ms.Worker,
  ) {
    super();
    this.#pool = pool;
    this.#mediaCodecs = mediaCodecs;
    this.#maxConsumersPerWorker = maxConsumersPerWorker;
    this.#last = first;
    this.adopt(worker, first);
  }

  /** A room's routers, starting with one on the least-loaded worker. */
  static async create(options: {
    pool: WorkerPool;
    mediaCodecs: ms.RtpCodecCapability[];
    maxConsumersPerWorker: number;
  }): Promise<RoomRouters> {
    const worker = options.pool.leastLoaded();
    const router = await options.pool.createRouter(worker, { mediaCodecs: options.mediaCodecs });
    return new RoomRouters(
      options.pool,
      options.mediaCodecs,
      options.maxConsumersPerWorker,
      router,
      worker,
    );
  }

  /** The room's live routers, the first created first. */
  get all(): ms.Router[] {
    return [...this.#routers.values()];
  }

  /** The room's first live router (the last one when none lives: closed, but its capabilities hold). */
  get primary(): ms.Router {
    return this.#routers.values().next().value ?? this.#last;
  }

  /**
   * The router a new peer lives on: the first router of the room whose worker
   * keeps headroom for the consumers the peer will have; else a new router on
   * the least-loaded worker that has none of this room; else the room's
   * least busy router.
   *
   * A peer's consumers reach its worker a round trip or more after its join,
   * so a wave of joins would all land on the first router if only the
   * worker's count were read. Two more counts close that gap: `waiting(router)`,
   * the consumers the room's peers on `router` have that no transport
   * consumes yet, and the peers placed and not added yet: the place holds
   * `expectedConsumers` there until `settle` is called (once the peer is in
   * the room, or its join failed).
   */
  async place(
    expectedConsumers: number,
    waiting: (router: ms.Router) => number = () => 0,
  ): Promise<{ router: ms.Router; settle: () => void }> {
    // Held in the same tick when the router exists: joins started together see it.
    const router =
      this.#fitting(expectedConsumers, waiting) ??
      (this.#freeWorkers().length > 0
        ? await this.routerOn(this.#pool.leastLoaded(this.#freeWorkers()))
        : this.#leastBusy(waiting));
    this.#placing.set(router, (this.#placing.get(router) ?? 0) + expectedConsumers);
    let settled = false;
    return {
      router,
      settle: () => {
        if (settled) return;
        settled = true;
        const left = (this.#placing.get(router) ?? 0) - expectedConsumers;
        if (left > 0) this.#placing.set(router, left);
        else this.#placing.delete(router);
      },
    };
  }

  /** Consumers a router's worker has, is about to have from this room's waiting peers, and from peers being placed. */
  #busy(worker: ms.Worker, router: ms.Router, waiting: (router: ms.Router) => number): number {
    return this.#pool.loadOf(worker).consumers + waiting(router) + (this.#placing.get(router) ?? 0);
  }

  /** The first router of the room whose worker has room for `expectedConsumers` more. */
  #fitting(
    expectedConsumers: number,
    waiting: (router: ms.Router) => number,
  ): ms.Router | undefined {
    for (const [worker, router] of this.#routers)
      if (this.#busy(worker, router, waiting) + expectedConsumers <= this.#maxConsumersPerWorker)
        return router;
    return undefined;
  }

  /** Workers with no router of this room. */
  #freeWorkers(): ms.Worker[] {
    return this.#pool.workers.filter((w) => !this.#routers.has(w));
  }

  /** Every worker has a router of the room, none with room: the least busy of them. */
  #leastBusy(waiting: (router: ms.Router) => number): ms.Router {
    let best: { router: ms.Router; busy: number } | undefined;
    for (const [worker, router] of this.#routers) {
      const busy = this.#busy(worker, router, waiting);
      if (!best || busy < best.busy) best = { router, busy };
    }
    if (!best) throw new Error('no media worker is running');
    return best.router;
  }

  /**
   * Makes `producer` available on `router` (piped from its home router if it
   * lives elsewhere) for one user; resolves with the function that gives the
   * use back. The last user gone, the pipe closes. A new pipe carries media
   * once {@link flow} is called for it, or at once unless `held`.
   */
  async acquire(
    producer: Producer,
    router: ms.Router,
    options: { held?: boolean } = {},
  ): Promise<() => void> {
    const home = producer.transport.router;
    if (home === router) {
      if (!options.held) await this.flow(producer, router);
      return () => undefined;
    }
    let pipes = this.#pipes.get(producer);
    if (!pipes) {
      pipes = new Map();
      this.#pipes.set(producer, pipes);
      producer.observer.once('close', () => this.#pipes.delete(producer));
    }
    let pipe = pipes.get(router);
    if (!pipe) {
      const entry: Pipe = {
        users: 0,
        ready: Promise.resolve(),
        ends: undefined,
        flowing: undefined,
      };
      entry.ready = this.#routerPipes.pipe(producer.engine, home, router).then((ends) => {
        entry.ends = ends;
        const copy = ends.copy;
        // The copy closes with the original, or with either router.
        copy.observer.once('close', () => {
          if (pipes!.get(router) === entry) pipes!.delete(router);
        });
        if (entry.users === 0) copy.close();
      });
      entry.ready.catch(() => {
        if (pipes!.get(router) === entry) pipes!.delete(router);
      });
      pipes.set(router, entry);
      pipe = entry;
    }
    pipe.users++;
    try {
      await pipe.ready;
      if (!options.held) await this.flow(producer, router);
    } catch (error) {
      pipe.users--;
      throw error;
    }
    const used = pipe;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      used.users--;
      // A closed original takes its pipe along (mediasoup closes the pipe's
      // consumer with it, and the copy with that): closing the copy as well
      // would ask the worker for a pipe consumer it has already removed.
      const copy = used.ends?.copy;
      if (used.users === 0 && copy && !copy.closed && !producer.engine.closed) {
        log.debug('closing the pipe of producer %d to router %s', producer.id, router.id);
        copy.close();
      }
    };
  }

  /**
   * Lets `producer`'s media through its pipe to `router`, if it has one that
   * does not carry it yet: the pipe's consumer resumes and asks the producer
   * for a key frame. A consumer calls it as it starts.
   */
  async flow(producer: Producer, router: ms.Router): Promise<void> {
    const pipe = this.#pipes.get(producer)?.get(router);
    if (!pipe) return;
    await pipe.ready;
    const feed = pipe.ends?.feed;
    if (!feed || feed.closed) return;
    // A feed closed meanwhile (its producer or a router gone) needs no resume.
    pipe.flowing ??= feed.resume().catch((error: unknown) => {
      if (!feed.closed) throw error;
    });
    await pipe.flowing;
  }

  /** The worker a router of the room runs on. */
  workerOf(router: ms.Router): ms.Worker | undefined {
    for (const [worker, r] of this.#routers) if (r === router) return worker;
    return undefined;
  }

  /** How many routers a producer is piped to (for tests and monitoring). */
  pipesOf(producer: Producer): number {
    return [...(this.#pipes.get(producer)?.values() ?? [])].filter(
      (p) => p.ends && !p.ends.copy.closed,
    ).length;
  }

  /** Closes every router of the room. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const router of this.#routers.values()) router.close();
    this.#routers.clear();
  }

  private routerOn(worker: ms.Worker): Promise<ms.Router> {
    let pending = this.#creating.get(worker);
    if (!pending) {
      pending = this.#pool
        .createRouter(worker, { mediaCodecs: this.#mediaCodecs })
        .then((router) => {
          if (this.#closed) {
            router.close();
            throw new Error('the room closed while one of its routers was created');
          }
          this.adopt(worker, router);
          return router;
        });
      this.#creating.set(worker, pending);
      pending.finally(() => this.#creating.delete(worker)).catch(() => undefined);
    }
    return pending;
  }

  private adopt(worker: ms.Worker, router: ms.Router): void {
    this.#routers.set(worker, router);
    this.#last = router;
    log.debug('room router %s on worker %d', router.id, worker.pid);
    router.observer.once('close', () => {
      if (this.#routers.get(worker) !== router) return;
      this.#routers.delete(worker);
      if (!this.#closed) this.safeEmit('routerdied', router, worker);
    });
  }
}
