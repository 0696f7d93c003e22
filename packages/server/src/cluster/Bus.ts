import { randomUUID } from 'node:crypto';
import { Emitter, logger } from '@x/shared';
import { Redis, type RedisOptions } from 'ioredis';
import { SfuError } from '../util/errors.js';
import type { RedisSentinels } from './options.js';

const log = logger('x:server:cluster:Bus');

/** Events of the {@link Bus}. */
export type BusEvents = {
  /** Redis answers (again): what was written while it was away must be written again. */
  up: [];
  /** Redis is unreachable: cross-node work fails until it returns. */
  down: [];
};

type RpcHandler = (args: unknown, from: string) => Promise<unknown>;
interface RpcMessage {
  id: string;
  from: string;
  op?: string;
  args?: unknown;
  ok?: unknown;
  error?: { code: string; message: string };
}

/**
 * Deletes the fields of hash KEYS[1] named in ARGV[2..] whose record (JSON)
 * says node ARGV[1]: never those another node has written since (a peer that
 * moved there under the same name).
 */
const HDEL_OWNED = `
local n = 0
for i = 2, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v and cjson.decode(v).node == ARGV[1] then n = n + redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return n`;

/** Time a node waits for another node's answer, in ms. */
const RPC_TIMEOUT_MS = 5000;

/**
 * The cluster's Redis: one connection for commands and publishing, one for
 * subscriptions (Redis's rule), channels with their handlers (subscribed
 * again after a reconnection), and requests to another node over its own
 * channel. Commands fail at once while Redis is away (no queue): callers
 * say so, and write again when it is `up`.
 */
export class Bus extends Emitter<BusEvents> {
  readonly cmd: Redis;
  readonly #sub: Redis;
  readonly #nodeId: string;
  readonly #prefix: string;
  readonly #channels = new Map<string, (message: unknown) => void>();
  readonly #rpc = new Map<string, RpcHandler>();
  readonly #pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #up = false;
  #closed = false;

  constructor(redis: string | RedisSentinels, nodeId: string, prefix: string) {
    super();
    this.#nodeId = nodeId;
    this.#prefix = prefix;
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A path that drops packets leaves a command waiting for as long as
      // TCP rides it out: fail it instead (a join is refused, a beat missed).
      commandTimeout: 3000,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    const connect = (extra: RedisOptions): Redis =>
      typeof redis === 'string'
        ? new Redis(redis, { ...options, ...extra })
        : new Redis({
            ...options,
            ...extra,
            sentinels: redis.sentinels,
            name: redis.name,
            password: redis.password,
            sentinelPassword: redis.sentinelPassword,
            ...(redis.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
            // Each try asks the sentinels again: after a failover, the new primary.
            sentinelRetryStrategy: (times: number) => Math.min(100 * times, 1000),
          });
    this.cmd = connect({});
    this.#sub = connect({ enableOfflineQueue: true });
    for (const redis of [this.cmd, this.#sub]) {
      redis.on('error', (error: Error) => log.debug('redis: %s', error.message));
    }
    this.cmd.on('ready', () => this.changed());
    this.cmd.on('close', () => this.changed());
    this.#sub.on('ready', () => this.changed());
    this.#sub.on('close', () => this.changed());
    this.#sub.on('message', (channel: string, text: string) => this.received(channel, text));
  }

  /** Whether Redis answers now. */
  get up(): boolean {
    return this.#up;
  }

  /** Connects both connections; rejects if Redis cannot be reached now. */
  async connect(): Promise<void> {
    await Promise.all([this.cmd.connect(), this.#sub.connect()]);
    await this.listen(this.rpcChannel(this.#nodeId), (m) => this.rpcMessage(m as RpcMessage));
    this.changed();
  }

  /** A key or channel of this cluster. */
  key(name: string): string {
    return `${this.#prefix}${name}`;
  }

  /** Subscribes to a channel (again after each reconnection). */
  async listen(channel: string, handler: (message: unknown) => void): Promise<void> {
    this.#channels.set(channel, handler);
    await this.#sub.subscribe(channel);
  }

  /** Unsubscribes from a channel. */
  async unlisten(channel: string): Promise<void> {
    this.#channels.delete(channel);
    if (this.#sub.status === 'ready') await this.#sub.unsubscribe(channel).catch(() => undefined);
  }

  /** Publishes a message (JSON) on a channel. */
  async publish(channel: string, message: unknown): Promise<void> {
    await this.cmd.publish(channel, JSON.stringify(message));
  }

  /** Deletes hash fields whose records are `node`'s (see HDEL_OWNED). */
  async hdelOwned(key: string, node: string, fields: string[]): Promise<void> {
    if (fields.length) await this.cmd.eval(HDEL_OWNED, 1, key, node, ...fields);
  }

  /** Serves requests `op` of other nodes. */
  serve(op: string, handler: RpcHandler): void {
    this.#rpc.set(op, handler);
  }

  /** Asks another node; rejects with its error, or NODE_UNAVAILABLE when it does not answer. */
  request<T>(node: string, op: string, args: unknown): Promise<T> {
    const id = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new SfuError(
            'NODE_UNAVAILABLE',
            `node ${node} did not answer ${op} in ${RPC_TIMEOUT_MS} ms`,
          ),
        );
      }, RPC_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.publish(this.rpcChannel(node), {
        id,
        from: this.#nodeId,
        op,
        args,
      } satisfies RpcMessage).catch((error: unknown) => {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(unavailable(error));
      });
    });
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#pending.values())
      pending.reject(new Error('the cluster bus closed'));
    this.#pending.clear();
    await Promise.all([
      this.cmd.quit().catch(() => undefined),
      this.#sub.quit().catch(() => undefined),
    ]);
    this.cmd.disconnect();
    this.#sub.disconnect();
  }

  private rpcChannel(node: string): string {
    return this.key(`rpc:${node}`);
  }

  private changed(): void {
    const up = this.cmd.status === 'ready' && this.#sub.status === 'ready';
    if (up === this.#up || this.#closed) return;
    this.#up = up;
    log.debug('redis %s', up ? 'up' : 'down');
    if (up) {
      // Channels subscribed while Redis was away, or before a restart that forgot them.
      for (const channel of this.#channels.keys())
        this.#sub.subscribe(channel).catch(() => undefined);
    }
    this.safeEmit(up ? 'up' : 'down');
  }

  private received(channel: string, text: string): void {
    const handler = this.#channels.get(channel);
    if (!handler) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      log.warn('a message on %s is not JSON: dropped', channel);
      return;
    }
    try {
      handler(message);
    } catch (error) {
      log.error('handling a message on %s failed: %o', channel, error);
    }
  }

  private rpcMessage(message: RpcMessage): void {
    if (message.op === undefined) {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.error)
        pending.reject(new SfuError(message.error.code as never, message.error.message));
      else pending.resolve(message.ok);
      return;
    }
    const handler = this.#rpc.get(message.op);
    const reply = (body: Partial<RpcMessage>) =>
      this.publish(this.rpcChannel(message.from), {
        id: message.id,
        from: this.#nodeId,
        ...body,
      }).catch((error: unknown) =>
        log.warn('could not answer %s of %s: %o', message.op, message.from, error),
      );
    if (!handler) {
      void reply({
        error: { code: 'BAD_REQUEST', message: `unknown cluster request ${message.op}` },
      });
      return;
    }
    handler(message.args, message.from).then(
      (ok) => reply({ ok: ok ?? null }),
      (error: unknown) => {
        const e = error instanceof SfuError ? error : new SfuError('INTERNAL', String(error));
        return reply({ error: { code: e.code, message: e.message } });
      },
    );
  }
}

/** A Redis failure as the error a client is given. */
export function unavailable(error: unknown): SfuError {
  return new SfuError(
    'NODE_UNAVAILABLE',
    `the cluster is unreachable (Redis: ${error instanceof Error ? error.message : String(error)}): try again later`,
  );
}
