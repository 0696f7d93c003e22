import { randomUUID } from 'node:crypto';
import type { types as ms } from '@x/mediasoup';
import type { AppData } from '@x/protocol';
import { Emitter } from './Emitter.js';
import { InvalidStateError, SfuError } from './errors.js';
import { type Limits, resolveLimits } from './limits.js';
import { logger } from './logger.js';
import { type RoomMediaCodec, toMediasoupCodecs } from './mediaCodecs.js';
import { Room } from './Room.js';
import {
  type LogLevel,
  type ResolvedSettings,
  resolveSettings,
  type ServerSettings,
} from './ServerSettings.js';
import { WorkerPool } from './WorkerPool.js';

const log = logger('Server');

/** Options of {@link Server.create}: the v2 ServerSettings, plus limits. */
export interface ServerOptions extends ServerSettings {
  /** Limits per room, peer and connection (see {@link Limits}). */
  limits?: Partial<Limits>;
}

/** Options of {@link Server.createRoom}. */
export interface RoomOptions {
  /** Room id; default a random UUID. An existing id is refused. */
  id?: string;
  /** Codecs of the room (v2 `{kind, name, clockRate}` or mediasoup 3 `{kind, mimeType, clockRate}`). Default opus, VP8, VP9, H264. */
  mediaCodecs?: RoomMediaCodec[];
  /** The app's data about the room. */
  appData?: AppData;
}

/** Events of a {@link Server}. */
export type ServerEvents = {
  /** A room was created. */
  newroom: [room: Room];
  /** A media worker died: its rooms were closed (their peers told why) and a replacement started. */
  workerdied: [error: Error, rooms: Room[]];
  /** The server was closed. */
  close: [];
};

/**
 * The SFU server (mediasoup v2's Server): a pool of mediasoup workers and the
 * rooms on them.
 *
 * @example
 * ```ts
 * const server = await Server.create({ rtcMinPort: 40000, rtcMaxPort: 49999 });
 * const room = await server.createRoom({ id: 'demo' });
 * ```
 */
export class Server extends Emitter<ServerEvents> {
  /** The settings in effect, defaults applied and RTC addresses resolved. */
  readonly settings: ResolvedSettings;
  /** Limits per room, peer and connection. */
  readonly limits: Limits;

  readonly #pool: WorkerPool;
  readonly #rooms = new Map<string, Room>();
  readonly #roomWorkers = new Map<Room, ms.Worker>();
  readonly #diedRooms = new Map<ms.Worker, Room[]>();
  #closed = false;

  private constructor(settings: ResolvedSettings, limits: Limits, pool: WorkerPool) {
    super();
    this.settings = settings;
    this.limits = limits;
    this.#pool = pool;
    pool.on('workerdied', (worker, error) => this.onWorkerDied(worker, error));
  }

  /** Starts a server: its workers are running when the promise resolves. */
  static async create(options: ServerOptions = {}): Promise<Server> {
    const { limits, ...settings } = options;
    const resolved = resolveSettings(settings);
    const resolvedLimits = resolveLimits(limits);
    const pool = await WorkerPool.create(resolved);
    log.debug('server started with %d workers', resolved.numWorkers);
    return new Server(resolved, resolvedLimits, pool);
  }

  /** Whether the server is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of media workers. */
  get numWorkers(): number {
    return this.settings.numWorkers;
  }

  /** The mediasoup workers (for monitoring: pid, resource usage). */
  get workers(): ms.Worker[] {
    return this.#pool.workers;
  }

  /** The open rooms. */
  get rooms(): Room[] {
    return [...this.#rooms.values()];
  }

  /** The room with this id, if open. */
  getRoom(id: string): Room | undefined {
    return this.#rooms.get(id);
  }

  /** Creates a room on the least-loaded worker. */
  async createRoom(options: RoomOptions = {}): Promise<Room> {
    this.assertOpen('createRoom');
    const id = options.id ?? randomUUID();
    if (typeof id !== 'string' || id.length === 0)
      throw new TypeError('RoomOptions.id must be a non-empty string');
    if (this.#rooms.has(id)) throw new SfuError('ALREADY_EXISTS', `room ${id} already exists`);
    const worker = this.#pool.leastLoaded();
    const router = await worker.createRouter({
      mediaCodecs: toMediasoupCodecs(options.mediaCodecs),
    });
    if (this.#closed) {
      router.close();
      throw new InvalidStateError('the server closed while the room was created');
    }
    if (this.#rooms.has(id)) {
      router.close();
      throw new SfuError('ALREADY_EXISTS', `room ${id} already exists`);
    }
    const room = new Room({
      id,
      router,
      appData: options.appData,
      context: { settings: this.settings, pool: this.#pool, limits: this.limits },
    });
    this.#rooms.set(id, room);
    this.#roomWorkers.set(room, worker);
    room.once('close', () => {
      this.#rooms.delete(id);
      this.#roomWorkers.delete(room);
      // A dead worker closes its routers (and so its rooms) before it reports
      // its death: remember which rooms went with it.
      if (worker.closed && !this.#closed) {
        const died = this.#diedRooms.get(worker) ?? [];
        died.push(room);
        this.#diedRooms.set(worker, died);
      }
    });
    this.safeEmit('newroom', room);
    return room;
  }

  /** Changes the log level and tags of the workers. */
  async updateSettings(update: {
    logLevel?: LogLevel;
    logTags?: ms.WorkerLogTag[];
  }): Promise<void> {
    this.assertOpen('updateSettings');
    await this.#pool.updateSettings(update);
    Object.assign(this.settings, update);
  }

  /** Closes every room (their peers are told: `server_shutdown`) and the workers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of this.rooms)
      room.closeWith(undefined, 'server_shutdown', 'the server is shutting down');
    this.#pool.close();
    log.debug('server closed');
    this.safeEmit('close');
  }

  private onWorkerDied(worker: ms.Worker, error: Error): void {
    for (const [room, w] of this.#roomWorkers) {
      if (w === worker)
        room.closeWith(
          undefined,
          'worker_died',
          'the media worker hosting this room died: join again',
        );
    }
    const rooms = this.#diedRooms.get(worker) ?? [];
    this.#diedRooms.delete(worker);
    log.error('a media worker died (%s): %d rooms closed', error.message, rooms.length);
    this.safeEmit('workerdied', error, rooms);
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`the server is closed: ${method}() is not possible`);
  }
}
