import type { AppData } from '@x/protocol';
import { logger, ObservedEmitter } from '@x/shared';
import type { types as msc } from 'mediasoup-client';
import { InvalidStateError } from './errors.js';
import type { Originator } from './Originator.js';
import type { RoomMember } from './RoomMember.js';
import type { DataConsumerData } from './Signal.js';

const log = logger('x:client:DataConsumer');

/** Events of a {@link DataConsumer}. */
export type DataConsumerEvents = {
  /** Its channel opened: messages come. */
  open: [];
  /** A message of the peer: a string, or an ArrayBuffer for binary. */
  message: [data: string | ArrayBuffer];
  /** It was closed: its data producer or peer is gone ('remote'), or the room closed ('local'). */
  close: [originator: Originator];
};

/** @internal How a data consumer gets its channel (the room's data receive transport). */
export interface DataConsumerContext {
  /** Opens its channel: enabled on the server, consumed on the room's data transport. */
  receive(dataConsumer: DataConsumer): Promise<msc.DataConsumer>;
  /** It closed. */
  closed(dataConsumer: DataConsumer): void;
}

/**
 * Another peer's DataChannel (its `DataProducer`), as this client receives
 * it through the server: `message` events. The room receives every data
 * consumer by itself (unless `receiveData: false`, then call `receive()`).
 */
export class DataConsumer extends ObservedEmitter<DataConsumerEvents> {
  readonly #data: DataConsumerData;
  readonly #peer: RoomMember;
  readonly #context: DataConsumerContext;
  #closed = false;
  #engine: msc.DataConsumer | undefined;
  #receiving: Promise<void> | undefined;

  private constructor(data: DataConsumerData, peer: RoomMember, context: DataConsumerContext) {
    super();
    this.#data = data;
    this.#peer = peer;
    this.#context = context;
  }

  /** @internal Created by its peer, as the server announced it. */
  static create(
    data: DataConsumerData,
    peer: RoomMember,
    context: DataConsumerContext,
  ): DataConsumer {
    return new DataConsumer(data, peer, context);
  }

  /** Data consumer id (chosen by the server). */
  get id(): number {
    return this.#data.id;
  }

  /** The peer that sends on it. */
  get peer(): RoomMember {
    return this.#peer;
  }

  /** The id of the peer's data producer. */
  get dataProducerId(): number {
    return this.#data.dataProducerId;
  }

  /** The channel's label. */
  get label(): string {
    return this.#data.label;
  }

  /** The channel's subprotocol. */
  get protocol(): string {
    return this.#data.protocol;
  }

  /** Whether the sender's channel is ordered. */
  get ordered(): boolean {
    return this.#data.ordered;
  }

  /** The sender's partial reliability by time, in ms, if set. */
  get maxPacketLifeTime(): number | undefined {
    return this.#data.maxPacketLifeTime;
  }

  /** The sender's partial reliability by retransmissions, if set. */
  get maxRetransmits(): number | undefined {
    return this.#data.maxRetransmits;
  }

  /** The appData of the peer's data producer. */
  get appData(): AppData | undefined {
    return this.#data.appData;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Its channel's state ('connecting' until received and open). */
  get readyState(): RTCDataChannelState {
    if (this.#closed) return 'closed';
    return this.#engine?.readyState ?? 'connecting';
  }

  /** Whether its channel exists (it is received). */
  get receiving(): boolean {
    return this.#engine !== undefined;
  }

  /**
   * Starts receiving it (the room does this by itself unless `receiveData`
   * is false). Resolves once its channel exists; messages are `message` events.
   */
  receive(): Promise<void> {
    if (this.#closed)
      throw new InvalidStateError(`data consumer ${this.id} is closed: receive() is not possible`);
    this.#receiving ??= this.#context.receive(this).then(
      (engine) => this.#attach(engine),
      (error: unknown) => {
        this.#receiving = undefined;
        throw error;
      },
    );
    return this.#receiving;
  }

  #attach(engine: msc.DataConsumer): void {
    if (this.#closed) {
      engine.close();
      return;
    }
    this.#engine = engine;
    engine.binaryType = 'arraybuffer';
    engine.on('open', () => {
      if (this.#engine === engine) this.emitBoth('open');
    });
    engine.on('message', (data: string | ArrayBuffer) => {
      if (this.#engine === engine) this.emitBoth('message', data);
    });
    engine.on('error', (error) => log.warn('data consumer %d: %o', this.id, error));
    // Its transport closed: it can be received again.
    engine.on('transportclose', () => this.detach());
    if (engine.readyState === 'open') this.emitBoth('open');
  }

  /** @internal Its channel is gone with its transport. */
  detach(): void {
    const engine = this.#engine;
    this.#engine = undefined;
    this.#receiving = undefined;
    if (engine && !engine.closed) engine.close();
  }

  /** @internal Its data producer or peer is gone (remote), or the room closed (local). */
  remoteClose(originator: Originator): void {
    if (this.#closed) return;
    this.#closed = true;
    this.detach();
    this.#context.closed(this);
    this.emitBoth('close', originator);
  }
}
