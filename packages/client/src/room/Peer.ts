import type { AppData } from '@x/protocol';
import { ObservedEmitter } from '@x/shared';
import { Consumer } from './Consumer.js';
import { DataConsumer, type DataConsumerContext } from './DataConsumer.js';
import type { Originator } from './Originator.js';
import type { RoomMember } from './RoomMember.js';
import type { ConsumerData, DataConsumerData, Signal } from './Signal.js';

export type { Originator } from './Originator.js';

/** Events of a {@link Peer}. */
export type PeerEvents = {
  /** The peer left or was closed. */
  close: [originator: Originator, appData: AppData | undefined];
  /** The peer has a new producer: here is its consumer. */
  newconsumer: [consumer: Consumer];
  /** The peer has a new data producer: here is its data consumer. */
  newdataconsumer: [dataConsumer: DataConsumer];
  /** How loud it is, in dBov (when the room's audio levels are enabled). */
  audiolevel: [level: number];
  /** It is the room's dominant speaker now (when the active speaker is enabled). */
  activespeaker: [];
  /** Its metadata (appData) changed: the app's backend set it (the admin API's UpdatePeerMetadata). */
  appdatachange: [appData: AppData | undefined];
};

/** Another participant of the room (mediasoup-client v2's Peer). */
export class Peer extends ObservedEmitter<PeerEvents> implements RoomMember {
  readonly #name: string;
  #appData: AppData | undefined;
  #closed = false;
  readonly #consumers = new Map<number, Consumer>();
  readonly #dataConsumers = new Map<number, DataConsumer>();
  readonly #signal: Signal;
  readonly #data: DataConsumerContext;

  private constructor(
    name: string,
    appData: AppData | undefined,
    signal: Signal,
    data: DataConsumerContext,
  ) {
    super();
    this.#name = name;
    this.#appData = appData;
    this.#signal = signal;
    this.#data = data;
  }

  /** @internal Created by the room. */
  static create(
    name: string,
    appData: AppData | undefined,
    signal: Signal,
    data: DataConsumerContext,
  ): Peer {
    return new Peer(name, appData, signal, data);
  }

  /** Peer name. */
  get name(): string {
    return this.#name;
  }

  /** The peer's appData: from its join, or its metadata as the app last set it (`appdatachange`). */
  get appData(): AppData | undefined {
    return this.#appData;
  }

  /** @internal The server says its metadata changed. */
  setAppData(appData: AppData | undefined): void {
    this.#appData = appData;
    this.emitBoth('appdatachange', appData);
  }

  /** Whether the peer is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Consumers of the peer's producers. */
  get consumers(): Consumer[] {
    return [...this.#consumers.values()];
  }

  /** Data consumers of the peer's data producers. */
  get dataConsumers(): DataConsumer[] {
    return [...this.#dataConsumers.values()];
  }

  /** The data consumer with this id. */
  getDataConsumerById(id: number): DataConsumer | undefined {
    return this.#dataConsumers.get(id);
  }

  /** @internal A data consumer of one of its data producers, as the server announced it. */
  addDataConsumer(data: DataConsumerData, announce: boolean): DataConsumer {
    const dataConsumer = DataConsumer.create(data, this, {
      receive: (dc) => this.#data.receive(dc),
      closed: (dc) => {
        if (this.#dataConsumers.get(dc.id) === dc) this.#dataConsumers.delete(dc.id);
        this.#data.closed(dc);
      },
    });
    this.#dataConsumers.set(dataConsumer.id, dataConsumer);
    if (announce) this.emitBoth('newdataconsumer', dataConsumer);
    return dataConsumer;
  }

  /** The consumer with this id. */
  getConsumerById(id: number): Consumer | undefined {
    return this.#consumers.get(id);
  }

  /** @internal A consumer of one of its producers, as the server announced it. */
  addConsumer(data: ConsumerData, announce: boolean): Consumer {
    const consumer = Consumer.create(data, this, this.#signal, (c) => {
      if (this.#consumers.get(c.id) === c) this.#consumers.delete(c.id);
    });
    this.#consumers.set(consumer.id, consumer);
    if (announce) this.emitBoth('newconsumer', consumer);
    return consumer;
  }

  /** @internal The room's audio levels or active speaker concern this peer. */
  hear(event: 'audiolevel', level: number): void;
  hear(event: 'activespeaker'): void;
  hear(event: 'audiolevel' | 'activespeaker', level?: number): void {
    if (this.#closed) return;
    if (event === 'audiolevel') this.emitBoth('audiolevel', level!);
    else this.emitBoth('activespeaker');
  }

  /** @internal The peer left (remote) or the room closed (local); its consumers close. */
  close(originator: Originator, appData?: AppData): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const consumer of this.consumers) consumer.remoteClose(originator);
    for (const dataConsumer of this.dataConsumers) dataConsumer.remoteClose(originator);
    this.emitBoth('close', originator, appData);
  }
}
