import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from '@x/protocol';
import { Emitter, logger } from '@x/shared';
import type { Bus } from './Bus.js';
import type { ResolvedClusterOptions } from './options.js';
import { CLUSTER_FORMAT, type NodeInfo } from './records.js';

const log = logger('x:server:cluster:Registry');

/** Events of the {@link Registry}. */
export type RegistryEvents = {
  /** A node stopped telling it lives (dead, or cut off from Redis). */
  nodedown: [id: string];
  /** A node appeared. */
  nodeup: [node: NodeInfo];
  /**
   * This node's own record had expired when it beat again: it was cut off
   * from Redis for longer than the TTL (a partition that TCP rode out), so
   * the others took it for dead and forgot its peers.
   */
  lapsed: [];
};

/**
 * The cluster's nodes: this one tells it lives (its info with a TTL, and a
 * heartbeat in a sorted set), and reads the others' at each beat; a node
 * silent for the TTL is dead.
 */
export class Registry extends Emitter<RegistryEvents> {
  readonly #bus: Bus;
  readonly #options: ResolvedClusterOptions;
  readonly #info: () => NodeInfo;
  #live = new Map<string, NodeInfo>();
  /** Since when Redis answers (after an outage, the others need a TTL to tell it again). */
  #upSince = Date.now();
  #timer: NodeJS.Timeout | undefined;
  /** When the last beat that got through was sent. */
  #beatAt: number | undefined;

  constructor(bus: Bus, options: ResolvedClusterOptions, info: () => NodeInfo) {
    super();
    this.#bus = bus;
    this.#options = options;
    this.#info = info;
    bus.on('up', () => {
      this.#upSince = Date.now();
    });
  }

  /** The live nodes, this one included. */
  get nodes(): NodeInfo[] {
    return [...this.#live.values()];
  }

  /** A live node. */
  get(id: string): NodeInfo | undefined {
    return this.#live.get(id);
  }

  /**
   * Joins the cluster: refused when a node of it speaks a cluster format or
   * protocol versions this node cannot share, or has this node's id.
   */
  async start(): Promise<void> {
    await this.read();
    const self = this.#options.nodeId;
    for (const node of this.#live.values()) {
      if (node.id === self)
        throw new Error(`cluster: a live node already has the id "${self}": give this one another`);
      if (node.format !== CLUSTER_FORMAT)
        throw new Error(
          `cluster: node ${node.id} speaks cluster format ${node.format}, this one ${CLUSTER_FORMAT}`,
        );
      if (node.protocol.max < MIN_PROTOCOL_VERSION || node.protocol.min > PROTOCOL_VERSION) {
        throw new Error(
          `cluster: node ${node.id} speaks protocol ${node.protocol.min}-${node.protocol.max}, this one ${MIN_PROTOCOL_VERSION}-${PROTOCOL_VERSION}: they cannot share a room`,
        );
      }
    }
    await this.beat();
    this.#timer = setInterval(() => {
      this.beat().catch((error: unknown) =>
        log.debug('heartbeat failed: %s', (error as Error).message),
      );
    }, this.#options.heartbeatMs);
    this.#timer.unref();
  }

  /** Tells the cluster now (after a change of this node: draining, load). */
  async beat(): Promise<void> {
    const self = this.#info();
    await this.#bus.cmd
      .multi()
      .set(this.#bus.key(`node:${self.id}`), JSON.stringify(self), 'PX', this.#options.nodeTtlMs)
      .zadd(this.#bus.key('nodes'), Date.now(), self.id)
      .exec();
    // No beat got through for longer than the TTL: the others took this node
    // for dead. Measured from when each beat was answered, not sent: a beat
    // sent as the path was cut waits in TCP's queue and reaches Redis only
    // when the path returns, long after its record expired (commands that
    // timed out may also reach Redis late: neither counts).
    const now = Date.now();
    const lapsed = this.#beatAt !== undefined && now - this.#beatAt > this.#options.nodeTtlMs;
    this.#beatAt = now;
    await this.read();
    if (lapsed) {
      log.warn('this node was taken for dead (no beat for over the TTL): writing its rooms again');
      this.safeEmit('lapsed');
    }
  }

  /** Leaves the cluster. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const id = this.#options.nodeId;
    await this.#bus.cmd
      .multi()
      .del(this.#bus.key(`node:${id}`))
      .zrem(this.#bus.key('nodes'), id)
      .exec()
      .catch(() => undefined);
  }

  private async read(): Promise<void> {
    const cutoff = Date.now() - this.#options.nodeTtlMs;
    const ids = await this.#bus.cmd.zrangebyscore(this.#bus.key('nodes'), cutoff, '+inf');
    const infos = ids.length
      ? await this.#bus.cmd.mget(ids.map((id) => this.#bus.key(`node:${id}`)))
      : [];
    const live = new Map<string, NodeInfo>();
    infos.forEach((text) => {
      if (!text) return;
      const info = JSON.parse(text) as NodeInfo;
      live.set(info.id, info);
    });
    // Forget the dead for good (any node may: the result is the same).
    await this.#bus.cmd.zremrangebyscore(this.#bus.key('nodes'), '-inf', `(${cutoff}`);
    // A node missing from Redis is dead (its key expired: silent for the TTL),
    // unless Redis itself just returned: one that restarted empty gives the
    // nodes a TTL to tell it again before any is declared dead.
    const settling = Date.now() - this.#upSince <= this.#options.nodeTtlMs;
    const before = this.#live;
    const next = new Map(live);
    if (settling) for (const [id, info] of before) if (!next.has(id)) next.set(id, info);
    this.#live = next;
    for (const id of before.keys()) {
      if (!next.has(id) && id !== this.#options.nodeId) {
        log.warn('node %s is gone', id);
        this.safeEmit('nodedown', id);
      }
    }
    for (const [id, info] of next)
      if (!before.has(id) && id !== this.#options.nodeId) this.safeEmit('nodeup', info);
  }
}
