import type { types as ms } from '@x/mediasoup';
import type { AppData, SctpStreamParameters } from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import type { SfuError } from '../util/errors.js';
import type { Originator } from './Originator.js';
import type { RoomMember } from './RoomMember.js';
import type { TransportRef } from './TransportRef.js';

const log = logger('x:server:DataProducer');

/** Events of a {@link DataProducer}. */
export type DataProducerEvents = {
  /**
   * It was closed: by the app ('local'), by its client or with its transport
   * or peer ('remote'). `error` says which limit closed it, if one did.
   */
  close: [originator: Originator, appData: AppData | undefined, error: SfuError | undefined];
};

/** @internal What its peer hears of it. */
export interface DataProducerHooks {
  /** It closed. */
  closed(dataProducer: DataProducer): void;
}

/**
 * A DataChannel a peer sends on (over SCTP): chat, reactions, app state.
 * Every other peer of the room gets a {@link DataConsumer} of it, and the
 * server app can read it (`room.receiveData()`).
 */
export class DataProducer extends Emitter<DataProducerEvents> {
  /** Data producer id: chosen by its client, unique among its peer's data producers. */
  readonly id: number;
  /** The peer that sends on it. */
  readonly peer: RoomMember;
  /** The transport it arrives on. */
  readonly transport: TransportRef;
  /** The app's data about it, from its client. */
  appData: AppData | undefined;
  /** The mediasoup data producer underneath (for what this API does not cover). */
  readonly engine: ms.DataProducer;
  /** What the server's own subsystems watch: the same events as its own. */
  readonly observer = new Observer<DataProducerEvents>();

  #closed = false;
  readonly #hooks: DataProducerHooks;

  /** @internal Created by its peer. */
  constructor(options: {
    id: number;
    peer: RoomMember;
    transport: TransportRef;
    engine: ms.DataProducer;
    appData: AppData | undefined;
    hooks: DataProducerHooks;
  }) {
    super();
    this.id = options.id;
    this.peer = options.peer;
    this.transport = options.transport;
    this.engine = options.engine;
    this.appData = options.appData;
    this.#hooks = options.hooks;
    // Its transport's router closed (worker died, room closed).
    this.engine.on('transportclose', () => this.closeWith('local'));
  }

  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The channel's label (the app's name for it, e.g. "chat"). */
  get label(): string {
    return this.engine.label;
  }

  /** The channel's subprotocol. */
  get protocol(): string {
    return this.engine.protocol;
  }

  /** Its SCTP stream: id, ordering and reliability. */
  get sctpStreamParameters(): SctpStreamParameters {
    return streamParameters(this.engine.sctpStreamParameters!);
  }

  /** Closes it: its client is told (`dataProducerClosed`), its consumers close. */
  close(appData?: AppData): void {
    this.closeWith('local', appData);
  }

  /** @internal Closes it on behalf of `originator`; `error` when a limit closed it. */
  closeWith(originator: Originator, appData?: AppData, error?: SfuError): void {
    if (this.#closed) return;
    this.#closed = true;
    log.debug('data producer %d of %s closed (%s)', this.id, this.peer.name, originator);
    if (!this.engine.closed) this.engine.close();
    this.#hooks.closed(this);
    this.observer.notify('close', originator, appData, error);
    this.safeEmit('close', originator, appData, error);
  }
}

/** An SCTP stream as mediasoup has it, in domain terms (`ordered` defaults to true there). */
export function streamParameters(p: ms.SctpStreamParameters): SctpStreamParameters {
  const out: SctpStreamParameters = { streamId: p.streamId, ordered: p.ordered ?? true };
  if (p.maxPacketLifeTime !== undefined) out.maxPacketLifeTime = p.maxPacketLifeTime;
  if (p.maxRetransmits !== undefined) out.maxRetransmits = p.maxRetransmits;
  return out;
}
