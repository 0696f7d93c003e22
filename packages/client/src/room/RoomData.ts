import type { AppData } from '@x/protocol';
import { logger } from '@x/shared';
import type { types as msc } from 'mediasoup-client';
import type { DataConsumer } from './DataConsumer.js';
import { DataProducer, type DataProducerOptions } from './DataProducer.js';
import type { RequestError } from './errors.js';
import { randomId } from './ids.js';
import type { Originator } from './Originator.js';
import type { Signal } from './Signal.js';
import type { Transport } from './Transport.js';

const log = logger('x:client:RoomData');

/** @internal What a room's data part needs from the room. */
export interface RoomDataContext {
  signal: Signal;
  /** A new transport with SCTP, of the room but not among the app's transports. */
  createTransport(direction: 'send' | 'recv'): Transport;
  /** Whether every data consumer is received as it comes (`receiveData`, default true). */
  autoReceive: boolean;
}

/**
 * A room's DataChannels: its data producers, and the pair of transports with
 * SCTP they and the data consumers ride on. The room makes that pair itself,
 * when data is first sent or received, apart from the app's media
 * transports: closing a media transport never cuts the chat, and a room with
 * no data never opens an SCTP association.
 */
export class RoomData {
  readonly #context: RoomDataContext;
  readonly #producers = new Map<number, DataProducer>();
  #send: Transport | undefined;
  #recv: Transport | undefined;
  #receivers: DataConsumer[] = [];
  /** Data producers the server has (a local close is told to it). */
  readonly #sent = new Set<number>();
  #roomClosed = false;

  constructor(context: RoomDataContext) {
    this.#context = context;
  }

  /** The data producers. */
  get producers(): DataProducer[] {
    return [...this.#producers.values()];
  }

  /** The data transports that exist. */
  get transports(): Transport[] {
    return [this.#send, this.#recv].filter((t): t is Transport => t !== undefined && !t.closed);
  }

  /** Creates a data producer and sends it; resolves once the server has it. */
  async produce(options: DataProducerOptions): Promise<DataProducer> {
    if (options.maxPacketLifeTime !== undefined && options.maxRetransmits !== undefined)
      throw new TypeError('give maxPacketLifeTime or maxRetransmits, not both');
    // The media server (mediasoup 3.12) reads 0 as "not set", which would make the channel reliable.
    if (options.maxPacketLifeTime === 0 || options.maxRetransmits === 0)
      throw new TypeError('maxPacketLifeTime and maxRetransmits must be at least 1');
    const dataProducer = DataProducer.create(options, (dp, originator, appData) =>
      this.#closed(dp, originator, appData),
    );
    this.#producers.set(dataProducer.id, dataProducer);
    try {
      await this.#sendOn(dataProducer);
    } catch (error) {
      this.#producers.delete(dataProducer.id);
      dataProducer.roomClosed('local');
      throw error;
    }
    return dataProducer;
  }

  /** Opens a data consumer's channel on the data receive transport. */
  async receive(dataConsumer: DataConsumer): Promise<msc.DataConsumer> {
    const transport = this.#recvTransport();
    const engine = await transport.ensure();
    const stream = await this.#context.signal.enableDataConsumer(dataConsumer.id, transport.id);
    const channel = await engine.consumeData({
      id: String(dataConsumer.id),
      dataProducerId: String(dataConsumer.dataProducerId),
      sctpStreamParameters: stream,
      label: dataConsumer.label,
      protocol: dataConsumer.protocol,
    });
    if (!this.#receivers.includes(dataConsumer)) this.#receivers.push(dataConsumer);
    return channel;
  }

  /** A data consumer was announced: received at once, unless the app receives them itself. */
  consumerAdded(dataConsumer: DataConsumer): void {
    if (!this.#context.autoReceive) return;
    dataConsumer
      .receive()
      .catch((error: unknown) =>
        log.warn('cannot receive data consumer %d: %o', dataConsumer.id, error),
      );
  }

  /** A data consumer closed. */
  consumerClosed(dataConsumer: DataConsumer): void {
    this.#receivers = this.#receivers.filter((dc) => dc !== dataConsumer);
  }

  /** The server closed a data producer (the app's, or a limit's close). */
  serverClosed(id: number, appData: AppData | undefined, error: RequestError | undefined): void {
    this.#producers.get(id)?.remoteClose(appData, error);
  }

  /** A resumed session: the data producers the server no longer has close. */
  align(serverIds: number[]): void {
    const ids = new Set(serverIds);
    for (const dp of this.producers) {
      if (dp.attached && !ids.has(dp.id)) dp.remoteClose(undefined, undefined);
    }
  }

  /** The room joined again as a new session: the data producers are sent again. */
  async resend(): Promise<void> {
    for (const dp of this.producers) {
      if (!dp.closed && !dp.attached)
        await this.#sendOn(dp).catch((error: unknown) =>
          log.warn('cannot send data producer %d again: %o', dp.id, error),
        );
    }
  }

  /** The room closed: every data producer closes (its transports close with the room's). */
  roomClosed(originator: Originator): void {
    this.#roomClosed = true;
    for (const dp of this.producers) dp.roomClosed(originator);
  }

  async #sendOn(dp: DataProducer): Promise<void> {
    const transport = this.#sendTransport();
    const engine = await transport.ensure();
    const localId = randomId();
    transport.expectProduceData(localId, { id: dp.id, appData: dp.appData });
    const channel = await engine.produceData({
      ordered: dp.ordered,
      maxPacketLifeTime: dp.maxPacketLifeTime,
      maxRetransmits: dp.maxRetransmits,
      label: dp.label,
      protocol: dp.protocol,
      appData: { localId },
    });
    if (dp.closed) {
      channel.close();
      return;
    }
    this.#sent.add(dp.id);
    dp.attach(channel, transport.maxMessageSize);
    const onTransportClose = () => {
      // Closed (the server closed it, its data producers with it), or rebound
      // for a new session (they are sent again).
      if (transport.closed) dp.remoteClose(undefined, undefined);
      else dp.detach();
    };
    transport.adopt(onTransportClose);
    dp.observer.once('close', () => transport.release(onTransportClose));
  }

  #closed(dp: DataProducer, originator: Originator, appData: AppData | undefined): void {
    this.#producers.delete(dp.id);
    const sent = this.#sent.delete(dp.id);
    if (originator === 'local' && sent) this.#context.signal.closeDataProducer(dp.id, appData);
  }

  #sendTransport(): Transport {
    if (!this.#send || this.#send.closed) this.#send = this.#context.createTransport('send');
    return this.#send;
  }

  #recvTransport(): Transport {
    if (!this.#recv || this.#recv.closed) {
      const transport = this.#context.createTransport('recv');
      this.#recv = transport;
      // The server closed it: what it carried is received again on a new one.
      transport.observer.once('close', () => {
        const lost = this.#receivers.filter((dc) => !dc.closed);
        this.#receivers = [];
        if (!this.#context.autoReceive || this.#roomClosed) return;
        for (const dc of lost) {
          dc.detach();
          this.consumerAdded(dc);
        }
      });
    }
    return this.#recv;
  }
}
