import { randomUUID } from 'node:crypto';
import type { types as ms } from '@x/mediasoup';
import type { AppData, RtpCapabilities } from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { Cluster } from './cluster/Cluster.js';
import type { ClusterOptions } from './cluster/options.js';
import { type RoomMediaCodec, toMediasoupCodecs } from './media/mediaCodecs.js';
import { type ClientPlainRtpOptions, PlainRtpPolicy } from './media/PlainRtpPolicy.js';
import { Room } from './media/Room.js';
import { RoomRouters } from './media/RoomRouters.js';
import {
  type LogLevel,
  type ResolvedSettings,
  resolveSettings,
  type ServerSettings,
} from './media/ServerSettings.js';
import { type WorkerLoad, WorkerPool } from './media/WorkerPool.js';
import { protobufSignaling } from './signaling/port.js';
import {
  type IceServer,
  mintTurnCredentials,
  resolveTurnOptions,
  type TurnOptions,
} from './signaling/turn.js';
import { InvalidStateError, SfuError } from './util/errors.js';
import { Farewells } from './util/Farewells.js';
import { type Limits, resolveLimits } from './util/limits.js';

const log = logger('x:server:Server');

/** Options of {@link Server.create}: the v2 ServerSettings, plus limits. */
export interface ServerOptions extends ServerSettings {
  /** Limits per room, peer and connection (see {@link Limits}). */
  limits?: Partial<Limits>;
  /**
   * Plain RTP transports created by clients (media to or from an address the
   * client chooses). Off without this option; with it, only for peers whose
   * token allows it (`canUsePlainRtp`), and only to these networks.
   * RtpStreamers and RTP ingest, whose addresses the app chooses, are not
   * concerned.
   */
  clientPlainRtp?: ClientPlainRtpOptions;
  /**
   * Cluster mode: this server is one node of a cluster whose nodes share a
   * Redis, and its rooms span the nodes (see {@link Cluster}). Without it,
   * the server stands alone and needs no Redis.
   */
  cluster?: ClusterOptions;
  /**
   * A TURN server for clients that cannot reach the server's media ports
   * (UDP blocked, only TLS to port 443 allowed): every joining peer gets
   * credentials of its own for it, valid for `ttl` seconds (see
   * {@link TurnOptions} and the README's TURN section).
   */
  turn?: TurnOptions;
}

/** Options of {@link Server.createRoom}. */
export interface RoomOptions {
  /** Room id; default a random UUID. An existing id is refused. */
  id?: string;
  /** Codecs of the room (v2 `{kind, name, clockRate}` or mediasoup 3 `{kind, mimeType, clockRate}`). Default opus, VP8, VP9, H264. */
  mediaCodecs?: RoomMediaCodec[];
  /** The app's data about the room. */
  appData?: AppData;
  /** Close the room once it has had no peer for `limits.emptyRoomTimeoutMs`. Default true. */
  closeWhenEmpty?: boolean;
}

/** Events of a {@link Server}. */
export type ServerEvents = {
  /** A room was created. */
  newroom: [room: Room];
  /**
   * A media worker died: the peers that lived on it were closed (told
   * `worker_died`), the rooms and their other peers go on, and a replacement
   * worker started.
   */
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
  /** What the server's own subsystems watch: the same events as the server's. */
  readonly observer = new Observer<ServerEvents>();
  /** The settings in effect, defaults applied and RTC addresses resolved. */
  readonly settings: ResolvedSettings;
  /** Limits per room, peer and connection. */
  readonly limits: Limits;

  readonly #pool: WorkerPool;
  readonly #rooms = new Map<string, Room>();
  readonly #diedRooms = new Map<ms.Worker, Room[]>();
  readonly #farewells = new Farewells();
  #closed = false;

  readonly #plainRtp: PlainRtpPolicy | undefined;
  readonly #turn: Required<TurnOptions> | undefined;
  readonly #signaling = protobufSignaling(() => this.iceServers());
  readonly #capabilities = new Map<string, Promise<RtpCapabilities>>();
  #cluster: Cluster | undefined;

  private constructor(
    settings: ResolvedSettings,
    limits: Limits,
    pool: WorkerPool,
    plainRtp: PlainRtpPolicy | undefined,
    turn: Required<TurnOptions> | undefined,
  ) {
    super();
    this.settings = settings;
    this.limits = limits;
    this.#pool = pool;
    this.#plainRtp = plainRtp;
    this.#turn = turn;
    pool.on('workerdied', (worker, error) => this.onWorkerDied(worker, error));
  }

  /** Starts a server: its workers are running when the promise resolves. */
  static async create(options: ServerOptions = {}): Promise<Server> {
    const { limits, clientPlainRtp, cluster, turn, ...settings } = options;
    const resolved = resolveSettings(settings);
    const resolvedLimits = resolveLimits(limits);
    const plainRtp = clientPlainRtp ? new PlainRtpPolicy(clientPlainRtp) : undefined;
    const resolvedTurn = turn ? resolveTurnOptions(turn) : undefined;
    const pool = await WorkerPool.create(resolved);
    log.debug('server started with %d workers', resolved.numWorkers);
    const server = new Server(resolved, resolvedLimits, pool, plainRtp, resolvedTurn);
    if (cluster) {
      try {
        server.#cluster = await Cluster.start(cluster, {
          getRoom: (id) => server.getRoom(id),
          load: () => server.load(),
          farewellsSent: (timeoutMs) => server.#farewells.sent(timeoutMs),
        });
      } catch (error) {
        pool.close();
        throw error;
      }
    }
    return server;
  }

  /** This node of its cluster (cluster mode only): the live nodes, draining. */
  get cluster(): Cluster | undefined {
    return this.#cluster;
  }

  /** Whether the server is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of media workers. */
  get numWorkers(): number {
    return this.settings.numWorkers;
  }

  /** What runs on each media worker (routers, transports, producers, consumers). */
  get workerLoads(): WorkerLoad[] {
    return this.#pool.loads();
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
    const routers = await RoomRouters.create({
      pool: this.#pool,
      mediaCodecs: toMediasoupCodecs(options.mediaCodecs),
      maxConsumersPerWorker: this.settings.maxConsumersPerWorker,
    });
    if (this.#closed) {
      routers.close();
      throw new InvalidStateError('the server closed while the room was created');
    }
    if (this.#rooms.has(id)) {
      routers.close();
      throw new SfuError('ALREADY_EXISTS', `room ${id} already exists`);
    }
    const room = new Room({
      id,
      routers,
      appData: options.appData,
      closeWhenEmpty: options.closeWhenEmpty,
      context: {
        settings: this.settings,
        pool: this.#pool,
        limits: this.limits,
        signaling: this.#signaling,
        plainRtp: this.#plainRtp,
        admit: this.#cluster && ((r, name, spy) => this.#cluster!.admit(r, name, spy)),
        nodePipesOf: this.#cluster && ((r, producer) => this.#cluster!.nodePipesOf(r, producer)),
        // A dead worker closes its routers before it reports its death: remember whose they were.
        routerDied: (r, worker) => {
          const died = this.#diedRooms.get(worker) ?? [];
          died.push(r);
          this.#diedRooms.set(worker, died);
        },
      },
    });
    this.#rooms.set(id, room);
    room.observer.once('close', () => this.#rooms.delete(id));
    this.#cluster?.addRoom(room);
    this.observer.notify('newroom', room);
    this.safeEmit('newroom', room);
    return room;
  }

  /**
   * The capabilities a room of these codecs has (an open room's, or those it
   * will have): what `queryRoom` answers before the room exists, so that a
   * query creates no room. Computed once per codec set.
   */
  rtpCapabilitiesFor(mediaCodecs?: readonly RoomMediaCodec[]): Promise<RtpCapabilities> {
    this.assertOpen('rtpCapabilitiesFor');
    const codecs = toMediasoupCodecs(mediaCodecs);
    const key = JSON.stringify(codecs);
    let capabilities = this.#capabilities.get(key);
    if (!capabilities) {
      capabilities = this.#pool
        .leastLoaded()
        .createRouter({ mediaCodecs: codecs })
        .then((router) => {
          router.close();
          return router.rtpCapabilities as RtpCapabilities;
        });
      // Codec sets come from the app's configuration, not from clients: a few at most.
      if (this.#capabilities.size >= 32) this.#capabilities.clear();
      this.#capabilities.set(key, capabilities);
      capabilities.catch(() => this.#capabilities.delete(key));
    }
    return capabilities;
  }

  /**
   * The TURN servers a joining (or resuming) peer may use, with credentials
   * minted now for it (none without `turn`): what the join response carries,
   * for apps that carry signaling of their own.
   */
  iceServers(): IceServer[] {
    return this.#turn ? [mintTurnCredentials(this.#turn)] : [];
  }

  /**
   * @internal A signaling connection the server closed (by its signaling
   * layer): `sent` resolves once its closing frame has left.
   */
  farewell(sent: Promise<void>): void {
    this.#farewells.add(sent);
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
    // The other nodes forget this one at once (its peers were closed above).
    void this.#cluster?.close();
    this.#pool.close();
    log.debug('server closed');
    this.observer.notify('close');
    this.safeEmit('close');
  }

  /** This node's load: its own peers (not those of other nodes), rooms, and consumers. */
  private load(): { peers: number; rooms: number; consumers: number } {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.peers.length;
    const consumers = this.#pool.loads().reduce((sum, l) => sum + l.consumers, 0);
    return { peers, rooms: this.#rooms.size, consumers };
  }

  private onWorkerDied(worker: ms.Worker, error: Error): void {
    const rooms = this.#diedRooms.get(worker) ?? [];
    this.#diedRooms.delete(worker);
    log.error(
      'a media worker died (%s): %d rooms lost the peers that lived on it',
      error.message,
      rooms.length,
    );
    this.observer.notify('workerdied', error, rooms);
    this.safeEmit('workerdied', error, rooms);
  }

  private assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`the server is closed: ${method}() is not possible`);
  }
}
