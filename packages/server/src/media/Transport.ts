import type { types as ms } from '@x/mediasoup';
import type { AppData, RtcStats, TransportDirection } from '@x/protocol';
import { Emitter, type EventMap, logger, Observer } from '@x/shared';
import { InvalidStateError } from '../util/errors.js';
import type { Consumer } from './Consumer.js';
import type { Originator } from './Originator.js';
import type { Producer } from './Producer.js';
import type { RoomMember } from './RoomMember.js';
import type { TransportRef, TransportType } from './TransportRef.js';

const log = logger('x:server:Transport');

/** Events every transport has. */
export type TransportEvents = {
  /** The transport was closed (by the app, by its client, or with its peer or room). */
  close: [originator: Originator, appData: AppData | undefined];
};

/**
 * @internal What the owner of a transport gives it: what it carries (the
 * owner keeps that), and the private side of its close.
 */
export interface TransportOwnerSide {
  /** The producers that arrive on it. */
  producers(transport: Transport): Producer[];
  /** The consumers enabled on it. */
  consumers(transport: Transport): Consumer[];
  /**
   * It is closing on behalf of `originator` (before its engine closes): the
   * owner closes the producers on it, which close with their transport.
   */
  closing(transport: Transport, originator: Originator): void;
}

/**
 * What {@link WebRtcTransport} and {@link PlainRtpTransport} share: identity,
 * the producers and consumers on it, stats and closing.
 */
export class Transport<Events extends EventMap<Events> = Record<never, never>>
  extends Emitter<Events & TransportEvents>
  implements TransportRef
{
  /** Transport id: chosen by the client, or by the server for its own transports. */
  readonly id: number;
  /** 'send' (the client produces on it) or 'recv' (it consumes). */
  readonly direction: TransportDirection;
  /** WebRTC (ICE + DTLS), plain RTP, or a pipe from another node. */
  readonly type: TransportType;
  /** The peer it belongs to (undefined for an RtpStreamer's transport). */
  readonly peer: RoomMember | undefined;
  /** The app's data about the transport. */
  appData: AppData | undefined;
  /** The mediasoup transport underneath (for what this API does not cover). */
  readonly engine: ms.WebRtcTransport | ms.PlainTransport | ms.PipeTransport;
  /** The mediasoup router it lives on. */
  readonly router: ms.Router;
  /** What the server's own subsystems watch: the same events as the transport's. */
  readonly observer = new Observer<Events & TransportEvents>();

  #closed = false;
  readonly #owner: TransportOwnerSide;

  /** @internal Created by its peer (or an RtpStreamer, or the cluster for a pipe from another node). */
  constructor(options: {
    id: number;
    direction: TransportDirection;
    type: TransportType;
    peer: RoomMember | undefined;
    appData: AppData | undefined;
    engine: ms.WebRtcTransport | ms.PlainTransport | ms.PipeTransport;
    router: ms.Router;
    owner: TransportOwnerSide;
  }) {
    super();
    this.id = options.id;
    this.direction = options.direction;
    this.type = options.type;
    this.peer = options.peer;
    this.appData = options.appData;
    this.engine = options.engine;
    this.router = options.router;
    this.#owner = options.owner;
    // Its router closed (the room closed, or the worker died): nothing can flow any more.
    // (As the base class: mediasoup 3.12 types each transport class's events, and a
    // union of their `on` signatures is not callable.)
    (this.engine as ms.Transport).on('routerclose', () => this.closeWith('local'));
  }

  /** Whether the transport is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Producers on it. */
  get producers(): Producer[] {
    return this.#owner.producers(this);
  }

  /** Consumers enabled on it. */
  get consumers(): Consumer[] {
    return this.#owner.consumers(this);
  }

  /** Closes it, with its producers; its client is told (`transportClosed`). */
  close(appData?: AppData): void {
    this.closeWith('local', appData);
  }

  /** RTC stats of the transport. */
  async getStats(): Promise<RtcStats[]> {
    this.assertOpen('getStats');
    return (await this.engine.getStats()) as unknown as RtcStats[];
  }

  /** @internal Closes it on behalf of `originator`; the client is told only of a local close. */
  closeWith(originator: Originator, appData?: AppData): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('transport %d closed (%s)', this.id, originator);
    // Producers go first, with the originator of the close (their client
    // learns of it through transportClosed); mediasoup then closes its own
    // producers and consumers with the transport.
    this.#owner.closing(this, originator);
    if (!this.engine.closed) this.engine.close();
    // `close` is in every transport's events: TypeScript cannot see it through the generic.
    const emit = this.emitBoth as (event: 'close', ...args: TransportEvents['close']) => void;
    emit.call(this, 'close', originator, appData);
  }

  /** Emits an event on the observer, then to the app. */
  protected emitBoth<K extends keyof (Events & TransportEvents) & string>(
    event: K,
    ...args: (Events & TransportEvents)[K]
  ): void {
    this.observer.notify(event, ...args);
    this.safeEmit(event, ...args);
  }

  /** Throws an {@link InvalidStateError} naming `method` when the transport is closed. */
  protected assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`transport ${this.id} is closed: ${method}() is not possible`);
  }
}
