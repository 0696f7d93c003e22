// A bare protocol client for the server tests: protobuf frames over a real
// WebSocket, no @x/client, so that the tests see exactly what the server sends.
import {
  decodeServerMessage,
  encodeClientMessage,
  jsonToMessage,
  PROTOCOL_VERSION,
  pb,
  type RtpCapabilities,
  rtpCapabilitiesToMessage,
} from '@x/protocol';
import WebSocket from 'ws';

type Body = Omit<pb.Request.$Properties, 'id'>;
type NotificationName = NonNullable<pb.ServerNotification['body']>;

export class ProtocolClient {
  readonly notifications: pb.ServerNotification[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;
  private readonly pending = new Map<number, (response: pb.Response) => void>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = decodeServerMessage(data);
      if (message.response) {
        this.pending.get(message.response.id)?.(message.response);
        this.pending.delete(message.response.id);
      } else if (message.notification) {
        this.notifications.push(message.notification);
        for (const wake of this.waiters) wake();
      }
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async connect(url: string): Promise<ProtocolClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ProtocolClient(socket);
  }

  /** Sends a request and resolves with its response (ok or error). */
  request(body: Body, id = this.nextId++): Promise<pb.Response> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response to ${Object.keys(body)[0]} ${id}`)),
        10_000,
      );
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.send(encodeClientMessage({ request: { id, ...body } }));
    });
  }

  /** Sends a request and returns its ok payload; throws with the server's code and message on an error. */
  async ok<K extends keyof pb.Response>(body: Body, key: K): Promise<NonNullable<pb.Response[K]>> {
    const response = await this.request(body);
    if (response.error)
      throw new Error(`${pb.ErrorCode[response.error.code]}: ${response.error.message}`);
    const value = response[key];
    if (value == null) throw new Error(`response has no ${String(key)}: ${response.result}`);
    return value as NonNullable<pb.Response[K]>;
  }

  /** Sends a request that must fail; returns the error code name and message. */
  async error(body: Body): Promise<{ code: string; message: string; field: string }> {
    const response = await this.request(body);
    if (!response.error) throw new Error(`expected an error, got ${response.result}`);
    return {
      code: pb.ErrorCode[response.error.code].replace('ERROR_CODE_', ''),
      message: response.error.message,
      field: response.error.field,
    };
  }

  notify(body: pb.ClientNotification.$Properties): void {
    this.socket.send(encodeClientMessage({ notification: body }));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.socket.send(bytes);
  }

  /** Joins with the given capabilities (the room's, as a browser's would mostly be). */
  async join(
    peerName: string,
    rtpCapabilities: RtpCapabilities,
    extra: Partial<pb.JoinRequest.$Properties> = {},
    appData?: unknown,
  ) {
    return this.ok(
      {
        join: {
          protocolVersion: PROTOCOL_VERSION,
          peerName,
          rtpCapabilities: rtpCapabilitiesToMessage(rtpCapabilities),
          appData: appData === undefined ? undefined : jsonToMessage(appData),
          ...extra,
        },
      },
      'join',
    );
  }

  /** Notifications of one kind received so far. */
  received<N extends NotificationName>(name: N): NonNullable<pb.ServerNotification[N]>[] {
    return this.notifications
      .filter((n) => n.body === name)
      .map((n) => n[name] as NonNullable<pb.ServerNotification[N]>);
  }

  /** Waits for a notification of a kind (matching `predicate`), received before or after the call. */
  async waitFor<N extends NotificationName>(
    name: N,
    predicate: (n: NonNullable<pb.ServerNotification[N]>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<NonNullable<pb.ServerNotification[N]>> {
    const find = () => this.received(name).find(predicate);
    const found = find();
    if (found) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `no ${name} notification within ${timeoutMs} ms; got: ${this.notifications.map((n) => n.body).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const n = find();
        if (n) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(n);
        }
      };
      this.waiters.add(check);
    });
  }

  close(): void {
    this.socket.close();
  }
}
