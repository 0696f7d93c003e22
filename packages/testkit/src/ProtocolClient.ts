// A bare protocol client: protobuf frames over a real WebSocket, no
// @x/client, so that tests see exactly what the server sends and load
// generators keep the client side to the wire minimum.
import {
  decodeServerMessage,
  encodeClientMessage,
  jsonToMessage,
  mediaKind,
  PROTOCOL_VERSION,
  pb,
  type RtpCapabilities,
  type RtpParameters,
  rtpCapabilitiesFromMessage,
  rtpCapabilitiesToMessage,
  rtpParametersToMessage,
} from '@x/protocol';
import WebSocket from 'ws';

type Body = Omit<pb.Request.$Properties, 'id'>;
type NotificationName = NonNullable<pb.ServerNotification['body']>;

/** Options of {@link ProtocolClient.connect}. */
export interface ProtocolClientOptions {
  /** Keep every notification for `received()`/`waitFor()`. Default true (load generators turn it off). */
  record?: boolean;
  /** Time to wait for a response, in ms. Default 10000. */
  timeoutMs?: number;
  /** Extra headers of the WebSocket upgrade (Origin, say). */
  headers?: Record<string, string>;
  /** Local address to connect from (another 127.x address is another client address). */
  localAddress?: string;
}

export class ProtocolClient {
  /** Every notification received so far (when recording). */
  readonly notifications: pb.ServerNotification[] = [];
  /** Resolves when the socket closes, with the server's code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Called with every notification from the server. */
  onNotification: (n: pb.ServerNotification) => void = () => undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (response: pb.Response) => void>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: WebSocket,
    private readonly options: ProtocolClientOptions,
  ) {
    socket.on('message', (data: Buffer) => {
      const message = decodeServerMessage(data);
      if (message.response) {
        this.pending.get(message.response.id)?.(message.response);
        this.pending.delete(message.response.id);
      } else if (message.notification) {
        if (options.record ?? true) this.notifications.push(message.notification);
        this.onNotification(message.notification);
        for (const wake of this.waiters) wake();
      }
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  static async connect(url: string, options: ProtocolClientOptions = {}): Promise<ProtocolClient> {
    const socket = new WebSocket(url, {
      headers: options.headers,
      localAddress: options.localAddress,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ProtocolClient(socket, options);
  }

  /** Sends a request and resolves with its response (ok or error). */
  request(body: Body, id = this.nextId++): Promise<pb.Response> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response to ${Object.keys(body)[0]} ${id} in ${timeoutMs} ms`)),
        timeoutMs,
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

  /** Sends a request that must fail; returns the error code name (no prefix), message and field. */
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

  /** queryRoom: the room's capabilities (a server that requires tokens wants one here too). */
  async queryRoom(token?: string): Promise<RtpCapabilities> {
    const r = await this.ok({ queryRoom: { token } }, 'queryRoom');
    return rtpCapabilitiesFromMessage(r.rtpCapabilities!);
  }

  /** Joins with the given capabilities (the room's, as a browser's would mostly be). */
  join(
    peerName: string,
    rtpCapabilities: RtpCapabilities,
    extra: Partial<pb.JoinRequest.$Properties> = {},
    appData?: unknown,
  ): Promise<pb.JoinResponse> {
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

  /** A WebRTC transport (not connected: producers exist on it all the same). */
  async createTransport(
    id: number,
    direction: 'send' | 'recv',
  ): Promise<pb.CreateTransportResponse> {
    return this.ok(
      {
        createTransport: {
          id,
          direction:
            direction === 'send'
              ? pb.TransportDirection.TRANSPORT_DIRECTION_SEND
              : pb.TransportDirection.TRANSPORT_DIRECTION_RECV,
        },
      },
      'createTransport',
    );
  }

  /** A producer on a send transport. */
  async produce(
    id: number,
    transportId: number,
    kind: 'audio' | 'video',
    rtpParameters: RtpParameters,
    extra: Partial<pb.CreateProducerRequest.$Properties> = {},
  ): Promise<void> {
    await this.ok(
      {
        createProducer: {
          id,
          transportId,
          kind: mediaKind.toMessage(kind, 'kind'),
          rtpParameters: rtpParametersToMessage(rtpParameters),
          ...extra,
        },
      },
      'createProducer',
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

  /** Leaves the room (a lost connection would keep the peer for its grace period) and closes. */
  leave(): void {
    if (this.socket.readyState === WebSocket.OPEN) this.notify({ leave: {} });
    this.socket.close(1000);
  }

  /** Closes the socket (1005: no code; the server keeps a joined peer for its grace period). */
  close(): void {
    this.socket.close();
  }
}
