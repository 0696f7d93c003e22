import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import { SfuError } from '../util/errors.js';
import { Bus, unavailable } from './Bus.js';
import { ClusterRoom } from './ClusterRoom.js';
import {
  type ClusterOptions,
  type ResolvedClusterOptions,
  redactRedisUrl,
  resolveClusterOptions,
} from './options.js';
import { Registry } from './Registry.js';
import {
  CLUSTER_FORMAT,
  type ConsumeDataRequest,
  type ConsumeRequest,
  type FlowRequest,
  type KickRequest,
  type LinkRequest,
  type NodeInfo,
} from './records.js';

const log = logger('x:server:cluster:Cluster');

/** What the cluster needs of its server. */
export interface ClusterHost {
  /** An open room of this node. */
  getRoom(id: string): Room | undefined;
  /** This node's load: its own peers, open rooms, and consumers on its workers. */
  load(): NodeInfo['load'];
  /** Resolves once the closing frames sent to clients have left (redirects included), or after `timeoutMs`. */
  farewellsSent(timeoutMs: number): Promise<void>;
}

/** Events of a {@link Cluster}. */
export type ClusterEvents = {
  /** A node joined the cluster. */
  nodeup: [node: NodeInfo];
  /** A node left or died (silent for `nodeTtlMs`): its peers left every room here. */
  nodedown: [id: string];
  /** Redis became unreachable: cross-node joins are refused (NODE_UNAVAILABLE) until it returns. */
  redisdown: [];
  /** Redis answers again: this node's rooms were written again and read back. */
  redisup: [];
};

/** Options of {@link Cluster.drain}. */
export interface DrainOptions {
  /**
   * How long peers may stay before they are moved, in ms: during it, new joins
   * go to other nodes and peers may leave by themselves. Default 0: moved at once.
   */
  graceMs?: number;
  /** How long to wait for the moved peers to be gone, in ms. Default 10000. */
  timeoutMs?: number;
}

/**
 * This node in a cluster of nodes that share a Redis (`server.cluster`): the
 * live nodes, the rooms that span them, joins refused when this node is full
 * or draining (with another node to go to), and draining itself.
 */
export class Cluster extends Emitter<ClusterEvents> {
  /** The options in effect, defaults applied. */
  readonly options: ResolvedClusterOptions;
  readonly #bus: Bus;
  readonly #registry: Registry;
  readonly #host: ClusterHost;
  readonly #rooms = new Map<string, ClusterRoom>();
  readonly #startedAt = Date.now();
  #draining = false;
  #closed = false;
  #wasDown = false;
  #recovering = false;
  /** Nodes this one took for dead (told so when they come back). */
  readonly #dropped = new Set<string>();

  private constructor(options: ResolvedClusterOptions, host: ClusterHost) {
    super();
    this.options = options;
    this.#host = host;
    this.#bus = new Bus(options.redis, options.nodeId, options.keyPrefix);
    this.#registry = new Registry(this.#bus, options, () => this.info());
    this.#registry.on('nodedown', (id) => this.nodeDown(id));
    this.#registry.on('nodeup', (node) => this.nodeUp(node));
    // Cut off for longer than the TTL while the connection held: the others
    // forgot this node's peers. Write them again, as after an outage.
    this.#registry.on('lapsed', () => {
      if (this.#wasDown || this.#recovering || this.#closed) return;
      this.#wasDown = true;
      void this.recover();
    });
    this.#bus.on('down', () => {
      this.#wasDown = true;
      log.warn('Redis is unreachable: joins are refused until it returns');
      this.safeEmit('redisdown');
    });
    this.#bus.on('up', () => {
      if (this.#wasDown) void this.recover();
    });
    this.#bus.serve('link', (args) => this.roomOf(args).pipes.link(args as LinkRequest));
    this.#bus.serve('consume', (args) => this.roomOf(args).pipes.consume(args as ConsumeRequest));
    this.#bus.serve('consume-data', (args) =>
      this.roomOf(args).pipes.consumeData(args as ConsumeDataRequest),
    );
    this.#bus.serve('flow', (args) => this.roomOf(args).pipes.flow(args as FlowRequest));
    this.#bus.serve('unconsume', async (args) =>
      this.roomOf(args).pipes.unconsume(args as ConsumeRequest),
    );
    this.#bus.serve('unlink', async (args) => this.roomOf(args).pipes.unlink(args as LinkRequest));
    this.#bus.serve('kick', async (args) => this.kick(args as KickRequest));
    // Another node took this one for dead and closed its pipes to it: the
    // peers of that node held here are stale (their pipes lead nowhere).
    this.#bus.serve('dropped', async (args) =>
      this.droppedBy(String((args as { from?: unknown }).from)),
    );
  }

  /**
   * @internal Joins the cluster (by `Server.create`): connects to Redis,
   * refuses a cluster whose nodes speak another format or protocol, and
   * starts the heartbeat.
   */
  static async start(options: ClusterOptions, host: ClusterHost): Promise<Cluster> {
    const cluster = new Cluster(resolveClusterOptions(options), host);
    try {
      await cluster.#bus.connect();
      await cluster.#registry.start();
    } catch (error) {
      await cluster.#bus.close();
      if (error instanceof Error && error.message.startsWith('cluster:')) throw error;
      throw new Error(
        `cluster: Redis at ${redactRedisUrl(options.redis)} cannot be reached (${String(error)})`,
        {
          cause: error,
        },
      );
    }
    log.debug('node %s joined the cluster', cluster.id);
    return cluster;
  }

  /** This node's id. */
  get id(): string {
    return this.options.nodeId;
  }

  /** The live nodes, this one included. */
  get nodes(): NodeInfo[] {
    return this.#registry.nodes;
  }

  /** Whether Redis answers now. */
  get connected(): boolean {
    return this.#bus.up;
  }

  /**
   * Whether Redis answers a PING within `timeoutMs` (readiness: a node that
   * cannot reach Redis cannot place peers in the cluster's rooms).
   */
  async redisReachable(timeoutMs = 1000): Promise<boolean> {
    if (!this.#bus.up) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([
        this.#bus.cmd.ping().then(
          () => true,
          () => false,
        ),
        late,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether this node is draining (it takes no new peer). */
  get draining(): boolean {
    return this.#draining;
  }

  /** @internal Makes a room of this node a room of the cluster (by `Server.createRoom`). */
  addRoom(room: Room): void {
    const clusterRoom = new ClusterRoom(room, {
      id: this.id,
      bus: this.#bus,
      pipe: {
        ip: this.options.pipeListenIp,
        announcedIp: this.options.pipeAnnouncedIp,
        srtp: this.options.pipeSrtp,
      },
      isLive: (id) => id === this.id || this.#registry.get(id) !== undefined,
      isDraining: (id) =>
        id === this.id ? this.#draining : this.#registry.get(id)?.draining === true,
      pipeSrtpOf: (id) =>
        id === this.id ? this.options.pipeSrtp : this.#registry.get(id)?.pipeSrtp,
    });
    this.#rooms.set(room.id, clusterRoom);
    room.observer.once('close', () => this.#rooms.delete(room.id));
    // Joins wait for it (and try again if Redis is away now).
    clusterRoom.attach().catch((error: unknown) => log.warn('room %s: %s', room.id, String(error)));
  }

  /**
   * @internal Admits a joiner of a room (the room's `admit` hook): refused
   * when this node is draining or full, with the least-loaded other node to
   * go to; otherwise its name is claimed across the cluster.
   */
  async admit(room: Room, name: string, spy: boolean): Promise<() => void> {
    if (this.#draining) throw this.unavailable('this node is draining');
    if (this.#host.load().peers >= this.options.maxPeers)
      throw this.unavailable(`this node is full (${this.options.maxPeers} peers)`);
    const clusterRoom = this.#rooms.get(room.id);
    if (!clusterRoom) throw new SfuError('INTERNAL', `room ${room.id} is not in the cluster`);
    return clusterRoom.admit(name, spy);
  }

  /** The live node that should take a client this one cannot: the least loaded, not draining. */
  pickNode(): NodeInfo | undefined {
    return this.#registry.nodes
      .filter((n) => n.id !== this.id && !n.draining && n.load.peers < (n.maxPeers ?? Infinity))
      .sort((a, b) => a.load.peers - b.load.peers || a.load.consumers - b.load.consumers)[0];
  }

  /**
   * Drains this node: new joins go to other nodes, then its peers are moved
   * (closed with `node_draining` and the URL of another node, where their
   * clients rejoin by themselves). Resolves once its peers are gone and
   * their clients have received where to go (the closing frames have left),
   * or after `timeoutMs`: the process may exit right after.
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    const { graceMs = 0, timeoutMs = 10_000 } = options;
    const deadline = Date.now() + graceMs + timeoutMs;
    this.#draining = true;
    await this.#registry.beat().catch(() => undefined);
    const peersLeft = () => this.#host.load().peers;
    if (graceMs > 0) await this.until(() => peersLeft() === 0, graceMs);
    for (const clusterRoom of this.#rooms.values()) {
      for (const peer of clusterRoom.room.peers) {
        const target = this.pickNode();
        // Its name is free in the cluster before its client is told to rejoin elsewhere.
        await clusterRoom.release(peer).catch((error: unknown) => log.warn('drain: %o', error));
        if (peer.closed) continue;
        peer.close(
          undefined,
          'node_draining',
          target ? `this node is draining: rejoin through ${target.id}` : 'this node is draining',
          target?.signalingUrl,
        );
      }
    }
    await this.until(() => peersLeft() === 0, timeoutMs);
    // The redirects travel in the closing frames: resolving before they have
    // left would let a process that exits next cut its clients off instead.
    await this.#host.farewellsSent(Math.max(0, deadline - Date.now()));
    log.debug('node %s drained (%d peers left)', this.id, peersLeft());
  }

  /** Leaves the cluster: the other nodes forget this one at once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const clusterRoom of this.#rooms.values())
      await clusterRoom.detach().catch(() => undefined);
    await this.#registry.stop();
    await this.#bus.close();
  }

  private info(): NodeInfo {
    return {
      id: this.id,
      signalingUrl: this.options.signalingUrl,
      pipeIp: this.options.pipeAnnouncedIp ?? this.options.pipeListenIp,
      format: CLUSTER_FORMAT,
      pipeSrtp: this.options.pipeSrtp,
      protocol: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
      draining: this.#draining,
      maxPeers: Number.isFinite(this.options.maxPeers) ? this.options.maxPeers : undefined,
      load: this.#host.load(),
      startedAt: this.#startedAt,
    };
  }

  private unavailable(why: string): SfuError {
    const target = this.pickNode();
    return new SfuError(
      'NODE_UNAVAILABLE',
      target
        ? `${why}: join through node ${target.id}`
        : `${why}, and no other node can take the peer`,
      { redirectUrl: target?.signalingUrl },
    );
  }

  /** @internal How many other nodes a producer of this node is piped to now (`room.pipesOf`). */
  nodePipesOf(room: Room, producer: Producer): number {
    return this.#rooms.get(room.id)?.pipes.nodesOf(producer) ?? 0;
  }

  private roomOf(args: unknown): ClusterRoom {
    const id = (args as { room?: unknown }).room;
    const clusterRoom = typeof id === 'string' ? this.#rooms.get(id) : undefined;
    if (!clusterRoom?.attached)
      throw new SfuError('NOT_FOUND', `room ${String(id)} has no peer on node ${this.id}`);
    return clusterRoom;
  }

  /** Another node's app closed a peer of this node: it leaves the room (every node hears it). */
  private kick(request: KickRequest): void {
    const peer = this.roomOf(request).room.getPeerByName(String(request.peer));
    if (!peer) throw new SfuError('NOT_FOUND', `no peer ${request.peer} on node ${this.id}`);
    peer.close(request.appData, 'peer_closed', 'removed from the room');
  }

  /**
   * A node appeared, or came back after it was taken for dead: what it
   * wrote before this node saw it live was ignored here, so read the rooms
   * again.
   */
  private nodeUp(node: NodeInfo): void {
    // Back from the dead (a partition): it must make its pipes from this
    // node anew, since this node closed the ones it had.
    if (this.#dropped.delete(node.id)) void this.tellDropped(node.id);
    for (const clusterRoom of this.#rooms.values())
      if (clusterRoom.attached)
        clusterRoom
          .load()
          .catch((error: unknown) =>
            log.warn(
              'room %s: reading node %s’s members failed: %s',
              clusterRoom.room.id,
              node.id,
              String(error),
            ),
          );
    this.safeEmit('nodeup', node);
  }

  private nodeDown(id: string): void {
    this.#dropped.add(id);
    for (const clusterRoom of this.#rooms.values()) clusterRoom.nodeDown(id);
    this.safeEmit('nodedown', id);
  }

  /** Tells node `id` that this node took it for dead (tried a few times: it has just come back). */
  private async tellDropped(id: string): Promise<void> {
    for (let attempt = 0; attempt < 3 && !this.#closed; attempt++) {
      try {
        await this.#bus.request(id, 'dropped', { from: this.id });
        return;
      } catch (error) {
        log.debug('telling node %s it was taken for dead failed: %s', id, String(error));
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }

  /** Node `from` took this one for dead: its peers here leave, and come back from Redis with new pipes. */
  private async droppedBy(from: string): Promise<void> {
    log.warn('node %s took this node for dead: its peers are read again, with new pipes', from);
    for (const clusterRoom of this.#rooms.values()) {
      if (!clusterRoom.attached) continue;
      clusterRoom.forgetNode(from);
      await clusterRoom.load();
    }
  }

  /** Redis returned: tell it this node again, then catch up with what happened meanwhile. */
  private async recover(): Promise<void> {
    this.#wasDown = false;
    this.#recovering = true;
    try {
      await this.#registry.beat();
      for (const clusterRoom of this.#rooms.values()) {
        if (!clusterRoom.attached) {
          // Created while Redis was away: it takes part now.
          await clusterRoom.attach();
          continue;
        }
        await clusterRoom.republish();
        await clusterRoom.load();
      }
    } catch (error) {
      log.warn(
        'catching up after Redis returned failed (%s): trying again',
        unavailable(error).message,
      );
      this.#wasDown = true;
      setTimeout(() => {
        if (this.#bus.up && this.#wasDown && !this.#closed) void this.recover();
      }, 1000).unref();
      return;
    } finally {
      this.#recovering = false;
    }
    // What left while Redis was away is known once every node had a TTL to write its rooms again.
    setTimeout(() => {
      if (this.#closed) return;
      Promise.all([...this.#rooms.values()].filter((r) => r.attached).map((r) => r.prune()))
        .then(() => {
          log.debug('node %s caught up with its rooms after Redis returned', this.id);
          this.safeEmit('redisup');
        })
        .catch((error: unknown) => log.warn('pruning after Redis returned failed: %o', error));
    }, this.options.nodeTtlMs).unref();
  }

  private async until(done: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}
