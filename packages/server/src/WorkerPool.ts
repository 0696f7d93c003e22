import type { types as ms } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import { Emitter } from './Emitter.js';
import { logger } from './logger.js';
import type { ResolvedSettings } from './ServerSettings.js';

const log = logger('WorkerPool');

interface Slot {
  index: number;
  minPort: number;
  maxPort: number;
  worker: ms.Worker | undefined;
  /** Routers, producers and consumers on the worker: what costs it CPU and memory. */
  load: number;
}

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
      this.slots.push({ index: i, minPort, maxPort, worker: undefined, load: 0 });
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
      logLevel: this.settings.logLevel,
      logTags: this.settings.logTags,
      rtcMinPort: minPort,
      rtcMaxPort: maxPort,
      dtlsCertificateFile: this.settings.dtlsCertificateFile,
      dtlsPrivateKeyFile: this.settings.dtlsPrivateKeyFile,
    };
  }

  private async start(slot: Slot): Promise<void> {
    const worker = await mediasoup.createWorker(this.workerSettings(slot.minPort, slot.maxPort));
    if (this.closed) {
      worker.close();
      return;
    }
    slot.worker = worker;
    slot.load = 0;
    log.debug(
      'worker %d (pid %d) started on ports %d-%d',
      slot.index,
      worker.pid,
      slot.minPort,
      slot.maxPort,
    );
    // Load: routers (rooms), producers and consumers on the worker.
    const count = (object: { observer: { once(event: 'close', fn: () => void): unknown } }) => {
      if (slot.worker !== worker) return;
      slot.load++;
      object.observer.once('close', () => {
        if (slot.worker === worker) slot.load--;
      });
    };
    worker.observer.on('newrouter', (router: ms.Router) => {
      count(router);
      router.observer.on('newtransport', (transport: ms.Transport) => {
        transport.observer.on('newproducer', count);
        transport.observer.on('newconsumer', count);
      });
    });
    worker.once('died', (error: Error) => this.onDied(slot, worker, error));
  }

  private onDied(slot: Slot, worker: ms.Worker, error: Error): void {
    if (slot.worker !== worker) return;
    log.error('worker %d (pid %d) died: %s', slot.index, worker.pid, error.message);
    slot.worker = undefined;
    slot.load = 0;
    this.safeEmit('workerdied', worker, error);
    if (this.closed) return;
    this.start(slot).catch((startError: unknown) => {
      log.error('worker %d could not be replaced: %o', slot.index, startError);
    });
  }

  /** The running worker with the least load (routers, producers and consumers), for a new room. */
  leastLoaded(): ms.Worker {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.worker && (!best || slot.load < best.load)) best = slot;
    }
    if (!best?.worker) throw new Error('no media worker is running');
    return best.worker;
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
    }
    this.outsideWorker?.then((w) => w.close()).catch(() => undefined);
  }
}
