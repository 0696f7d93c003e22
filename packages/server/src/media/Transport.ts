import type { types as ms } from '@x/mediasoup';
import type { AppData, RtcStats, TransportDirection } from '@x/protocol';
import { Emitter, type EventMap, logger } from '@x/shared';
import { InvalidStateError } from '../util/errors.js';
import type { Consumer } from './Consumer.js';
import type { Peer } from './Peer.js';
import type { Originator, Producer } from './Producer.js';

const log = logger('x:server:Transport');

/** Events every transport has. */
export type TransportEvents = {
  /** The transport was closed (by the app, by its client, or with its peer or room). */
  close: [originator: Originator, appData: AppData | undefined];
};

/**
 * What {@link WebRtcTransport} and {@link PlainRtpTransport} share: identity,
 * the producers and consumers on it, stats and closing.
 */
export class Transport<Events extends EventMap<Events> = Record<never, never>> extends Emitter<
  Events & TransportEvents
> {
  /** Transport id: chosen by the client, or by the server for its own transports. */
  readonly id: number;
  /** 'send' (the client produces on it) or 'recv' (it consumes). */
  readonly direction: TransportDirection;
  /** The peer it belongs to (undefined for an RtpStreamer's transport). */
  readonly peer: Peer | undefined;
  /** The app's data about the transport. */
  appData: AppData | undefined;
  /** The mediasoup transport underneath (for what this API does not cover). */
  readonly engine: ms.WebRtcTransport | ms.PlainTransport | ms.PipeTransport;
  /** The mediasoup router it lives on. */
  readonly router: ms.Router;

  #closed = false;
  readonly #producers = new Set<Producer>();
  readonly #consumers = new Set<Consumer>();

  /** @internal A transport of the server's own (the pipe from another node); the others come from their subclasses. */
  constructor(options: {
    id: number;
    direction: TransportDirection;
    peer: Peer | undefined;
    appData: AppData | undefined;
    engine: ms.WebRtcTransport | ms.PlainTransport | ms.PipeTransport;
    router: ms.Router;
  }) {
    super();
    this.id = options.id;
    this.direction = options.direction;
    this.peer = options.peer;
    this.appData = options.appData;
    this.engine = options.engine;
    this.router = options.router;
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
    return [...this.#producers];
  }

  /** Consumers enabled on it. */
  get consumers(): Consumer[] {
    return [...this.#consumers];
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

  /** @internal */
  addProducer(producer: Producer): void {
    this.#producers.add(producer);
    producer.once('close', () => this.#producers.delete(producer));
  }

  /** @internal */
  addConsumer(consumer: Consumer): void {
    this.#consumers.add(consumer);
    const remove = () => this.#consumers.delete(consumer);
    consumer.once('close', remove);
    consumer.once('unhandled', remove);
  }

  /** @internal Closes it on behalf of `originator`; the client is told only of a local close. */
  closeWith(originator: Originator, appData?: AppData): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('transport %d closed (%s)', this.id, originator);
    // Producers go first, with the originator of the close (their client
    // learns of it through transportClosed); mediasoup then closes its own
    // producers and consumers with the transport.
    for (const producer of [...this.#producers]) producer.closeWith(originator, undefined, false);
    if (!this.engine.closed) this.engine.close();
    if (originator === 'local' && this.peer && !this.peer.closed) {
      this.peer.channel.transportClosed(this, appData);
    }
    (this.safeEmit as (event: 'close', ...args: TransportEvents['close']) => void)(
      'close',
      originator,
      appData,
    );
  }

  /** Throws an {@link InvalidStateError} naming `method` when the transport is closed. */
  protected assertOpen(method: string): void {
    if (this.#closed)
      throw new InvalidStateError(`transport ${this.id} is closed: ${method}() is not possible`);
  }
}
