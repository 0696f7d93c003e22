import type { AppData } from '@x/protocol';
import { logger, ObservedEmitter } from '@x/shared';
import type { types as msc } from 'mediasoup-client';
import { DataMessageTooLargeError, InvalidStateError, type RequestError } from './errors.js';
import { randomId } from './ids.js';
import type { Originator } from './Originator.js';

const log = logger('x:client:DataProducer');

/** What a data message may be. */
export type DataMessageData = string | ArrayBuffer | ArrayBufferView | Blob;

/** Options of `room.produceData()`. */
export interface DataProducerOptions {
  /** The channel's label: the app's name for it ("chat", "reactions"). Default ''. */
  label?: string;
  /** The channel's subprotocol. Default ''. */
  protocol?: string;
  /** Whether messages arrive in the order they were sent. Default true. */
  ordered?: boolean;
  /**
   * Partially reliable: a message is given up after this many ms (for state
   * that the next message replaces: cursors, positions). Not with `maxRetransmits`.
   */
  maxPacketLifeTime?: number;
  /**
   * Partially reliable: a message is given up after this many
   * retransmissions (at least 1: the server cannot forward 0).
   */
  maxRetransmits?: number;
  /** The app's data about it, given to the other peers' data consumers. */
  appData?: AppData;
}

/** Events of a {@link DataProducer}. */
export type DataProducerEvents = {
  /** Its channel opened: messages go out (those sent before went out now). */
  open: [];
  /**
   * It was closed: by the app ('local'), or by the server ('remote'; with
   * `error` when it went past a data limit of the room, code LIMIT_EXCEEDED).
   */
  close: [originator: Originator, appData: AppData | undefined, error: RequestError | undefined];
  /** Its buffered amount fell to `bufferedAmountLowThreshold`: send more. */
  bufferedamountlow: [];
};

/** @internal What the room hears of a data producer's close (the server must hear of a local one). */
export type DataProducerClosed = (
  dataProducer: DataProducer,
  originator: Originator,
  appData: AppData | undefined,
) => void;

/** Messages held while the channel is not open (joining, reconnecting), at most. */
const MAX_HELD_MESSAGES = 1000;

/**
 * A DataChannel this client sends on, through the server, to every other
 * peer of the room (each gets a `DataConsumer` of it). Create one with
 * `room.produceData()`.
 */
export class DataProducer extends ObservedEmitter<DataProducerEvents> {
  readonly #id = randomId();
  readonly #options: Readonly<DataProducerOptions>;
  #closed = false;
  #engine: msc.DataProducer | undefined;
  #maxMessageSize = Number.POSITIVE_INFINITY;
  #lowThreshold = 0;
  readonly #held: DataMessageData[] = [];
  readonly #onClosed: DataProducerClosed;

  private constructor(options: DataProducerOptions, onClosed: DataProducerClosed) {
    super();
    this.#options = Object.freeze({ ...options });
    this.#onClosed = onClosed;
  }

  /** @internal Created by `room.produceData()`. */
  static create(options: DataProducerOptions, onClosed: DataProducerClosed): DataProducer {
    return new DataProducer(options, onClosed);
  }

  /** Data producer id (random, chosen by the client). */
  get id(): number {
    return this.#id;
  }

  /** The channel's label. */
  get label(): string {
    return this.#options.label ?? '';
  }

  /** The channel's subprotocol. */
  get protocol(): string {
    return this.#options.protocol ?? '';
  }

  /** Whether messages arrive in order. */
  get ordered(): boolean {
    return this.#options.ordered ?? true;
  }

  /** Partial reliability by time, in ms, if set. */
  get maxPacketLifeTime(): number | undefined {
    return this.#options.maxPacketLifeTime;
  }

  /** Partial reliability by retransmissions, if set. */
  get maxRetransmits(): number | undefined {
    return this.#options.maxRetransmits;
  }

  /** The app's data about it. */
  get appData(): AppData | undefined {
    return this.#options.appData;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Its channel's state ('connecting' until it opens, and while the room reconnects). */
  get readyState(): RTCDataChannelState {
    if (this.#closed) return 'closed';
    return this.#engine?.readyState ?? 'connecting';
  }

  /** Bytes sent but not yet handed to the network (and, while not open, held). */
  get bufferedAmount(): number {
    return this.#engine?.bufferedAmount ?? 0;
  }

  /** Below this many buffered bytes, `bufferedamountlow` is emitted. Default 0. */
  get bufferedAmountLowThreshold(): number {
    return this.#lowThreshold;
  }

  /** Sets the threshold of `bufferedamountlow`, in bytes. */
  set bufferedAmountLowThreshold(value: number) {
    this.#lowThreshold = value;
    if (this.#engine) this.#engine.bufferedAmountLowThreshold = value;
  }

  /** The largest message the room accepts, in bytes (known once the channel exists). */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }

  /**
   * Sends a message to every other peer of the room. While the channel is
   * not open yet (just created, or the room reconnecting), up to 1000
   * messages are held and sent when it opens. Throws
   * {@link DataMessageTooLargeError} for a message larger than the room
   * allows, and InvalidStateError when closed or too many are held.
   */
  send(data: DataMessageData): void {
    if (this.#closed)
      throw new InvalidStateError(`data producer ${this.#id} is closed: send() is not possible`);
    // Encoding a short string to measure it is wasted work: it cannot be too large.
    const size =
      typeof data === 'string' && data.length * 3 <= this.#maxMessageSize
        ? data.length
        : sizeOf(data);
    if (size > this.#maxMessageSize) throw new DataMessageTooLargeError(size, this.#maxMessageSize);
    const engine = this.#engine;
    if (engine && engine.readyState === 'open' && this.#held.length === 0) {
      engine.send(data as never);
      return;
    }
    if (this.#held.length >= MAX_HELD_MESSAGES)
      throw new InvalidStateError(
        `data producer ${this.#id} is not open and already holds ${MAX_HELD_MESSAGES} messages`,
      );
    this.#held.push(data);
  }

  /** Closes it: the server and the other peers are told. */
  close(appData?: AppData): void {
    if (this.#closed) return;
    this.#closeWith('local', appData, undefined);
  }

  /** @internal Its channel, created on the room's data transport. */
  attach(engine: msc.DataProducer, maxMessageSize: number): void {
    this.#engine = engine;
    this.#maxMessageSize = maxMessageSize;
    engine.bufferedAmountLowThreshold = this.#lowThreshold;
    engine.on('open', () => {
      if (this.#engine !== engine) return;
      this.#flush(engine);
      this.emitBoth('open');
    });
    engine.on('bufferedamountlow', () => {
      if (this.#engine === engine) this.emitBoth('bufferedamountlow');
    });
    engine.on('error', (error) => log.warn('data producer %d: %o', this.#id, error));
    if (engine.readyState === 'open') this.#flush(engine);
  }

  /**
   * @internal Its channel is gone with its transport (the room joins again):
   * messages are held until the room sends it again.
   */
  detach(): void {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine && !engine.closed) engine.close();
  }

  /** @internal Whether it has a channel now. */
  get attached(): boolean {
    return this.#engine !== undefined;
  }

  /** @internal The server closed it. */
  remoteClose(appData: AppData | undefined, error: RequestError | undefined): void {
    this.#closeWith('remote', appData, error);
  }

  /** @internal The room was left or closed. */
  roomClosed(originator: Originator): void {
    this.#closeWith(originator, undefined, undefined);
  }

  #closeWith(
    originator: Originator,
    appData: AppData | undefined,
    error: RequestError | undefined,
  ): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#held.length = 0;
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine && !engine.closed) engine.close();
    this.#onClosed(this, originator, appData);
    this.emitBoth('close', originator, appData, error);
  }

  #flush(engine: msc.DataProducer): void {
    while (this.#held.length > 0 && engine.readyState === 'open') {
      engine.send(this.#held.shift() as never);
    }
  }
}

function sizeOf(data: DataMessageData): number {
  if (typeof data === 'string') return new TextEncoder().encode(data).byteLength;
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size;
  throw new TypeError('send() takes a string, an ArrayBuffer, a typed array or a Blob');
}
