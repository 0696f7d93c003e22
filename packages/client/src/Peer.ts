import type { AppData } from '@x/protocol';
import { Emitter } from '@x/shared';
import type { Consumer } from './Consumer.js';

/** Who closed something: this client ('local') or the server ('remote'). */
export type Originator = 'local' | 'remote';

/** Events of a {@link Peer}. */
export type PeerEvents = {
  /** The peer left or was closed. */
  close: [originator: Originator, appData: AppData | undefined];
  /** The peer has a new producer: here is its consumer. */
  newconsumer: [consumer: Consumer];
  /** How loud it is, in dBov (when the room's audio levels are enabled). */
  audiolevel: [level: number];
  /** It is the room's dominant speaker now (when the active speaker is enabled). */
  activespeaker: [];
};

/** Another participant of the room (mediasoup-client v2's Peer). */
export class Peer extends Emitter<PeerEvents> {
  readonly #name: string;
  readonly #appData: AppData | undefined;
  #closed = false;
  readonly #consumers = new Map<number, Consumer>();

  private constructor(name: string, appData: AppData | undefined) {
    super();
    this.#name = name;
    this.#appData = appData;
  }

  /** @internal Created by the room. */
  static create(name: string, appData: AppData | undefined): Peer {
    return new Peer(name, appData);
  }

  /** Peer name. */
  get name(): string {
    return this.#name;
  }

  /** The peer's appData from its join. */
  get appData(): AppData | undefined {
    return this.#appData;
  }

  /** Whether the peer is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Consumers of the peer's producers. */
  get consumers(): Consumer[] {
    return [...this.#consumers.values()];
  }

  /** The consumer with this id. */
  getConsumerById(id: number): Consumer | undefined {
    return this.#consumers.get(id);
  }

  /** @internal */
  addConsumer(consumer: Consumer, announce: boolean): void {
    this.#consumers.set(consumer.id, consumer);
    consumer.once('close', () => this.#consumers.delete(consumer.id));
    if (announce) this.safeEmit('newconsumer', consumer);
  }

  /** @internal The room's audio levels or active speaker concern this peer. */
  hear(event: 'audiolevel', level: number): void;
  hear(event: 'activespeaker'): void;
  hear(event: 'audiolevel' | 'activespeaker', level?: number): void {
    if (this.#closed) return;
    if (event === 'audiolevel') this.safeEmit('audiolevel', level!);
    else this.safeEmit('activespeaker');
  }

  /** @internal The peer left (remote) or the room closed (local); its consumers close. */
  close(originator: Originator, appData?: AppData): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const consumer of this.consumers) consumer.remoteClose(originator);
    this.safeEmit('close', originator, appData);
  }
}
