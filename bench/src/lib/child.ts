// Helper processes of the benchmarks (servers, RTP sender, UDP sinks) run as
// separate Node processes, so that each one's CPU time can be read on its
// own and a load generator does not share an event loop with what it loads.
// They speak a tiny request/response protocol over the IPC channel.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

type Handler = (params: unknown) => unknown;

interface CallMessage {
  id: number;
  method: string;
  params: unknown;
}

interface ReplyMessage {
  id: number;
  result?: unknown;
  error?: string;
}

/** A helper process, started from a TypeScript file of this package. */
export class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();

  private constructor(child: ChildProcess, name: string) {
    this.process = child;
    child.on('message', (raw) => {
      const message = raw as ReplyMessage;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        for (const waiter of this.pending.values())
          waiter.reject(new Error(`${name} exited with code ${code}`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  /**
   * Starts `file` (a URL relative to `base`, e.g. import.meta.url) under tsx.
   * `BENCH_CHILD_NODE_ARGS` adds Node options to every helper (for example
   * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the servers).
   */
  static start(file: string, base: string, args: string[] = []): Child {
    const path = fileURLToPath(new URL(file, base));
    const extra = process.env.BENCH_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = fork(path, args, {
      execArgv: ['--import', 'tsx', ...extra],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child(child, file);
  }

  /**
   * Resolves once the helper said it is ready (`ready()` in the helper): for
   * a helper that starts something slow before it serves calls.
   */
  ready(timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (raw: unknown) => {
        if ((raw as { ready?: boolean }).ready !== true) return;
        clearTimeout(timer);
        this.process.off('message', onMessage);
        resolve();
      };
      this.process.on('message', onMessage);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`helper exited with code ${code} before it was ready`));
      });
    });
  }

  /** The process id. */
  get pid(): number {
    return this.process.pid!;
  }

  /** Calls a method of the helper and resolves with its result. */
  call<T>(method: string, params: unknown = {}, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.process.send({ id, method, params } satisfies CallMessage);
    });
  }

  /** Asks the helper to exit, and kills it if it has not within 5 s. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.send({ id: 0, method: 'exit', params: {} } satisfies CallMessage);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** In a helper: answers the parent's calls with these handlers; `exit` ends the process. */
export function serve(handlers: Record<string, Handler>, onExit?: () => unknown): void {
  process.on('message', async (raw) => {
    const message = raw as CallMessage;
    if (message.method === 'exit') {
      try {
        await onExit?.();
      } finally {
        process.exit(0);
      }
    }
    const handler = handlers[message.method];
    try {
      if (!handler) throw new Error(`unknown method ${message.method}`);
      const result = await handler(message.params);
      process.send!({ id: message.id, result } satisfies ReplyMessage);
    } catch (error) {
      process.send!({
        id: message.id,
        error: (error as Error)?.stack ?? String(error),
      } satisfies ReplyMessage);
    }
  });
  // The parent going away ends the helper too.
  process.on('disconnect', () => process.exit(0));
}

/** In a helper: tells the parent it serves calls now (see `Child.ready()`). */
export function ready(): void {
  process.send!({ ready: true });
}
