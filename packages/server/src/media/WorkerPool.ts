import type { types as ms } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import { Emitter, logger } from '@x/shared';
import { WorkerStartError } from '../util/errors.js';
import type { ResolvedSettings } from './ServerSettings.js';

const log = logger('x:server:WorkerPool');

/** What runs on one media worker: what costs it CPU and memory. */
export interface WorkerLoad {
  /** The worker's process id. */
  pid: number;
  /** Routers (a room has one per worker it spans). */
  routers: number;
  /** Transports, pipes between routers included. */
  transports: number;
  /** Producers, those piped in from other routers included. */
  producers: number;
  /** Consumers, those that pipe producers to other routers included: what a worker's capacity is counted in. */
  consumers: number;
}

interface Slot {
  index: number;
  minPort: number;
  maxPort: number;
  worker: ms.Worker | undefined;
  /** Its WebRtcServer (one UDP and one TCP port), when the server has them. */
  webRtcServer: ms.WebRtcServer | undefined;
  load: Omit<WorkerLoad, 'pid'>;
  /** Routers asked of its worker and not made yet: counted as routers when picking a worker. */
  creatingRouters: number;
}

const idle = (): Omit<WorkerLoad, 'pid'> => ({
  routers: 0,
  transports: 0,
  producers: 0,
  consumers: 0,
});

/** Events of the {@link WorkerPool}. */
export type WorkerPoolEvents = {
  /** A worker died; a replacement starts in its slot. */
  workerdied: [worker: ms.Worker, error: Error];
};

/**
 * The server's media workers: one per slot, each with an equal share of the
 * RTC port range (as mediasoup v2 split it). A worker that dies is replaced
 * in its slot. Rooms go to the least-loaded worker.
 */
export class WorkerPool extends Emitter<WorkerPoolEvents> {
  private readonly slots: Slot[] = [];
  private settings: ResolvedSettings;
  private closed = false;
  private outsideWorker: Promise<ms.Worker> | undefined;

  private constructor(settings: ResolvedSettings) {
    super();
    this.settings = settings;
    const size = Math.floor((settings.rtcMaxPort - settings.rtcMinPort + 1) / settings.numWorkers);
    for (let i = 0; i < settings.numWorkers; i++) {
      const minPort = settings.rtcMinPort + i * size;
      const maxPort = i === settings.numWorkers - 1 ? settings.rtcMaxPort : minPort + size - 1;
      this.slots.push({
        index: i,
        minPort,
        maxPort,
        worker: undefined,
        webRtcServer: undefined,
        load: idle(),
        creatingRouters: 0,
      });
    }
  }

  /** Starts every worker. */
  static async create(settings: ResolvedSettings): Promise<WorkerPool> {
    const pool = new WorkerPool(settings);
    try {
      await Promise.all(pool.slots.map((slot) => pool.start(slot)));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  /** The running workers. */
  get workers(): ms.Worker[] {
    return this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
  }

  private workerSettings(minPort: number, maxPort: number): ms.WorkerSettings {
    return {
      // A worker that fails at start says why in its error logs: it starts
      // with them on, and goes quiet once running (start()) if so asked.
      logLevel: this.settings.logLevel === 'none' ? 'error' : this.settings.logLevel,
      logTags: this.settings.logTags,
      rtcMinPort: minPort,
      rtcMaxPort: maxPort,
      dtlsCertificateFile: this.settings.dtlsCertificateFile,
      dtlsPrivateKeyFile: this.settings.dtlsPrivateKeyFile,
    };
  }

  private async start(slot: Slot): Promise<void> {
    const what = `media worker ${slot.index}`;
    const worker = await mediasoup
      .createWorker(this.workerSettings(slot.minPort, slot.maxPort))
      .catch((error: unknown) => {
        // A worker never built says already how to build it (its own type and code).
        if (error instanceof mediasoup.WorkerBinaryMissingError) throw error;
        throw new WorkerStartError(what, error);
      });
    let webRtcServer: ms.WebRtcServer | undefined;
    try {
      if (this.settings.logLevel === 'none') await worker.updateSettings({ logLevel: 'none' });
      webRtcServer = await this.createWebRtcServer(worker, slot.index);
    } catch (error) {
      worker.close();
      throw new WorkerStartError(`the WebRtcServer of ${what}`, error);
    }
    if (this.closed) {
      worker.close();
      return;
    }
    slot.worker = worker;
    slot.webRtcServer = webRtcServer;
    slot.load = idle();
    log.debug(
      'worker %d (pid %d) started on ports %d-%d',
      slot.index,
      worker.pid,
      slot.minPort,
      slot.maxPort,
    );
    // Load: every router, transport, producer and consumer, from its creation to its close.
    const count =
      (kind: keyof Slot['load']) =>
      (object: { observer: { once(event: 'close', fn: () => void): unknown } }) => {
        if (slot.worker !== worker) return;
        slot.load[kind]++;
        object.observer.once('close', () => {
          if (slot.worker === worker) slot.load[kind]--;
        });
      };
    worker.observer.on('newrouter', (router: ms.Router) => {
      count('routers')(router);
      router.observer.on('newtransport', (transport: ms.Transport) => {
        count('transports')(transport);
        transport.observer.on('newproducer', count('producers'));
        transport.observer.on('newconsumer', count('consumers'));
      });
    });
    worker.once('died', (error: Error) => this.onDied(slot, worker, error));
  }

  /** The WebRtcServer of the worker in slot `index`: `port + index`, UDP and TCP. */
  private async createWebRtcServer(
    worker: ms.Worker,
    index: number,
  ): Promise<ms.WebRtcServer | undefined> {
    const server = this.settings.webRtcServer;
    if (!server) return undefined;
    const port = server.port + index;
    return worker.createWebRtcServer({
      listenInfos: server.listen.flatMap(({ ip, announcedIp }) =>
        server.protocols.map((protocol) => ({ protocol, ip, announcedIp, port })),
      ),
    });
  }

  /** The WebRtcServer of a worker of the pool (undefined: the server has none). */
  webRtcServerOf(worker: ms.Worker): ms.WebRtcServer | undefined {
    return this.slots.find((s) => s.worker === worker)?.webRtcServer;
  }

  private onDied(slot: Slot, worker: ms.Worker, error: Error): void {
    if (slot.worker !== worker) return;
    log.error('worker %d (pid %d) died: %s', slot.index, worker.pid, error.message);
    slot.worker = undefined;
    slot.webRtcServer = undefined;
    slot.load = idle();
    this.safeEmit('workerdied', worker, error);
    if (this.closed) return;
    this.start(slot).catch((startError: unknown) => {
      log.error('worker %d could not be replaced: %o', slot.index, startError);
    });
  }

  /** What runs on each running worker. */
  loads(): WorkerLoad[] {
    return this.slots.flatMap((s) => (s.worker ? [{ pid: s.worker.pid, ...s.load }] : []));
  }

  /** What runs on one worker (idle for a worker not of this pool). */
  loadOf(worker: ms.Worker): WorkerLoad {
    const slot = this.slots.find((s) => s.worker === worker);
    return { pid: worker.pid, ...(slot?.load ?? idle()) };
  }

  /**
   * The running worker with the least load, counted in consumers (what a
   * worker's capacity is measured in), then producers, then routers; among
   * `candidates` when given.
   */
  leastLoaded(candidates?: ms.Worker[]): ms.Worker {
    let best: Slot | undefined;
    // Routers being made count already: rooms created at the same moment would
    // all pick the same idle worker otherwise.
    const weight = (s: Slot) => [
      s.load.consumers,
      s.load.producers,
      s.load.routers + s.creatingRouters,
    ];
    for (const slot of this.slots) {
      if (!slot.worker || (candidates && !candidates.includes(slot.worker))) continue;
      if (!best || lighter(weight(slot), weight(best))) best = slot;
    }
    if (!best?.worker) throw new Error('no media worker is running');
    return best.worker;
  }

  /** Makes a router on `worker`, counted in its load from this call on. */
  async createRouter(worker: ms.Worker, options: ms.RouterOptions): Promise<ms.Router> {
    const slot = this.slots.find((s) => s.worker === worker);
    if (slot) slot.creatingRouters++;
    try {
      return await worker.createRouter(options);
    } finally {
      if (slot) slot.creatingRouters--;
    }
  }

  /**
   * A worker whose ports lie outside rtcMinPort–rtcMaxPort, started on first
   * use: RtpStreamers given a `localIP` bind there (mediasoup v2 semantics).
   */
  outsideRangeWorker(): Promise<ms.Worker> {
    if (!this.outsideWorker) {
      const below = [1024, this.settings.rtcMinPort - 1] as const;
      const above = [this.settings.rtcMaxPort + 1, 65535] as const;
      const [min, max] = below[1] - below[0] >= above[1] - above[0] ? below : above;
      if (max - min < 1) {
        return Promise.reject(
          new Error(
            'the RTC port range leaves no ports outside it for RtpStreamers with a localIP',
          ),
        );
      }
      this.outsideWorker = mediasoup.createWorker(this.workerSettings(min, max)).then((worker) => {
        // No WebRtcServer: it only hosts plain transports.
        if (this.settings.logLevel === 'none')
          worker.updateSettings({ logLevel: 'none' }).catch(() => undefined);
        worker.once('died', () => {
          this.outsideWorker = undefined;
        });
        if (this.closed) worker.close();
        return worker;
      });
      this.outsideWorker.catch(() => {
        this.outsideWorker = undefined;
      });
    }
    return this.outsideWorker;
  }

  /** Changes the log level and tags of every worker. */
  async updateSettings(update: {
    logLevel?: ResolvedSettings['logLevel'];
    logTags?: ms.WorkerLogTag[];
  }): Promise<void> {
    this.settings = { ...this.settings, ...update };
    await Promise.all(this.workers.map((w) => w.updateSettings(update)));
  }

  /** Closes every worker. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) {
      slot.worker?.close();
      slot.worker = undefined;
      slot.webRtcServer = undefined;
    }
    this.outsideWorker?.then((w) => w.close()).catch(() => undefined);
  }
}

function lighter(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
