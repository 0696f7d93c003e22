import type { types as ms } from '@x/mediasoup';
import type { AppData, SctpStreamParameters } from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { InvalidStateError, SfuError } from '../util/errors.js';
import { type DataProducer, streamParameters } from './DataProducer.js';
import type { RoomMember } from './RoomMember.js';
import type { TransportRef } from './TransportRef.js';
import { createdInTime } from './workerRequests.js';

const log = logger('x:server:DataConsumer');

/** Events of a {@link DataConsumer}. */
export type DataConsumerEvents = {
  /** It was closed (its data producer or its peer closed). */
  close: [];
};

/** @internal How a data consumer reaches a data producer that lives on another router. */
export interface DataPipesSide {
  /** The id of a data producer on `router` that carries `source` there (piped if needed). */
  onRouter(source: DataProducer, router: ms.Router): Promise<string>;
}

/** @internal What its peer hears of it. */
export interface DataConsumerHooks {
  /** It closed. */
  closed(dataConsumer: DataConsumer): void;
}

/**
 * Another peer's {@link DataProducer}, as one peer receives it. It exists
 * from the moment its data producer does; its client enables it on a
 * receive transport with SCTP, and from then on the server sends every
 * message of its data producer there.
 */
export class DataConsumer extends Emitter<DataConsumerEvents> {
  /** Data consumer id (chosen by the server, unique in the room). */
  readonly id: number;
  /** The data producer it receives. */
  readonly source: DataProducer;
  /** The peer that receives it. */
  readonly peer: RoomMember;
  /** What the server's own subsystems watch: the same events as its own. */
  readonly observer = new Observer<DataConsumerEvents>();

  #closed = false;
  #transport: TransportRef | undefined;
  #engine: ms.DataConsumer | undefined;
  #enabling: Promise<void> | undefined;
  #dropped = 0;
  readonly #pipes: DataPipesSide;
  readonly #hooks: DataConsumerHooks;

  /** @internal Created by its peer. */
  constructor(options: {
    id: number;
    source: DataProducer;
    peer: RoomMember;
    pipes: DataPipesSide;
    hooks: DataConsumerHooks;
  }) {
    super();
    this.id = options.id;
    this.source = options.source;
    this.peer = options.peer;
    this.#pipes = options.pipes;
    this.#hooks = options.hooks;
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The transport it is enabled on, if it is. */
  get transport(): TransportRef | undefined {
    return this.#transport;
  }

  /**
   * Messages the server could not send to its peer because the peer fell too
   * far behind (its SCTP send buffer was full). Normally 0.
   */
  get droppedMessages(): number {
    return this.#dropped;
  }

  /** The mediasoup data consumer underneath, once enabled. */
  get engine(): ms.DataConsumer | undefined {
    return this.#engine;
  }

  /** The app's data of its data producer. */
  get appData(): AppData | undefined {
    return this.source.appData;
  }

  /** The stream the server sends on, once enabled. */
  get sctpStreamParameters(): SctpStreamParameters | undefined {
    const p = this.#engine?.sctpStreamParameters;
    return p && streamParameters(p);
  }

  /**
   * @internal Opens its stream on a receive transport with SCTP. Enabling it
   * again on the same transport changes nothing (a retried request); on
   * another one (its client made a new transport), it moves there.
   */
  async enable(transport: TransportRef): Promise<void> {
    if (this.#closed) throw new InvalidStateError(`data consumer ${this.id} is closed`);
    if (!transport.engine.sctpParameters)
      throw new SfuError(
        'INVALID_STATE',
        `transport ${transport.id} has no SCTP: create it with sctpCapabilities to receive data`,
        { field: 'transportId' },
      );
    if (this.#transport === transport) return this.#enabling;
    this.#enabling = this.#open(transport);
    return this.#enabling;
  }

  async #open(transport: TransportRef): Promise<void> {
    this.#engine?.close();
    this.#engine = undefined;
    this.#transport = transport;
    try {
      const dataProducerId = await this.#pipes.onRouter(this.source, transport.router);
      const engine = await createdInTime('data consumer', () =>
        transport.engine.consumeData({ dataProducerId }),
      );
      if (this.#closed || transport.closed || this.#transport !== transport) {
        engine.close();
        throw new InvalidStateError(`data consumer ${this.id} or its transport closed meanwhile`);
      }
      this.#engine = engine;
      engine.on('dataproducerclose', () => this.close());
      // Its peer fell too far behind: the worker dropped a message.
      engine.on('sctpsendbufferfull', () => {
        this.#dropped++;
        if (this.#dropped === 1 || this.#dropped % 1000 === 0)
          log.warn(
            'data consumer %d of %s: its send buffer is full, %d message(s) dropped so far',
            this.id,
            this.peer.name,
            this.#dropped,
          );
      });
      // The transport closed: the consumer waits to be enabled on another one.
      engine.on('transportclose', () => {
        if (this.#engine !== engine) return;
        this.#engine = undefined;
        this.#transport = undefined;
        this.#enabling = undefined;
      });
    } catch (error) {
      if (this.#transport === transport) {
        this.#transport = undefined;
        this.#enabling = undefined;
      }
      throw error;
    }
  }

  /** Closes it: its client is told (`dataConsumerClosed`). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('data consumer %d of %s closed', this.id, this.peer.name);
    // With its data producer, the worker closes it (and its copies' consumers) itself:
    // asking again would name a data consumer the worker no longer has.
    if (!this.source.closed) this.#engine?.close();
    this.#hooks.closed(this);
    this.observer.notify('close');
    this.safeEmit('close');
  }
}
