import type { types as ms } from '@x/mediasoup';
import type { AppData, RtpCapabilities } from '@x/protocol';
import { randomId } from '../util/ids.js';
import { Consumer, type ConsumerPipes, closeOnlyHooks } from './Consumer.js';
import type { Peer } from './Peer.js';
import type { Producer } from './Producer.js';
import type { PreferredProfile } from './profiles.js';

/**
 * The consumers of a room's producers: made with an id unique in the room,
 * known by their producer, and following it (its pauses, the profile the
 * app sets for it, its close).
 */
export class RoomConsumers {
  readonly #ofProducer = new Map<Producer, Set<Consumer>>();
  readonly #ids = new Set<number>();
  readonly #pipes: ConsumerPipes;

  /** @param pipes - how consumers reach producers that live on other routers. */
  constructor(pipes: ConsumerPipes) {
    this.#pipes = pipes;
  }

  /** The consumers of a producer. */
  of(producer: Producer): Consumer[] {
    return [...(this.#ofProducer.get(producer) ?? [])];
  }

  /** Gives `viewer` a consumer of `producer` (made by the peer, its owner). */
  subscribe(viewer: Peer, producer: Producer): Consumer {
    const consumer = viewer.subscribe(producer, {
      id: randomId(this.#ids),
      supported: canConsume(producer, viewer.rtpCapabilities),
    });
    this.track(consumer);
    return consumer;
  }

  /** A consumer with no peer (an RtpStreamer's), receiving with the room's capabilities. */
  unowned(producer: Producer, rtpCapabilities: RtpCapabilities): Consumer {
    const consumer = new Consumer({
      id: randomId(this.#ids),
      source: producer,
      peer: undefined,
      rtpCapabilities,
      supported: true,
      pipes: this.#pipes,
      hooks: closeOnlyHooks((c) => this.forget(c)),
    });
    this.track(consumer);
    return consumer;
  }

  /** Its producer paused or resumed: its consumers follow. */
  sourcePauseChanged(producer: Producer, appData: AppData | undefined): void {
    for (const consumer of this.of(producer)) consumer.sourcePauseChanged(producer.paused, appData);
  }

  /** The app set the profile a producer's consumers prefer. */
  preferredProfileSet(producer: Producer, profile: PreferredProfile): void {
    for (const consumer of this.of(producer)) consumer.setPreferredProfile(profile);
  }

  /** A producer closed: its consumers close. */
  sourceClosed(producer: Producer): void {
    for (const consumer of this.of(producer)) consumer.sourceClosed();
    this.#ofProducer.delete(producer);
  }

  /** A consumer closed. */
  forget(consumer: Consumer): void {
    this.#ids.delete(consumer.id);
    this.#ofProducer.get(consumer.source)?.delete(consumer);
  }

  private track(consumer: Consumer): void {
    this.#ids.add(consumer.id);
    let consumers = this.#ofProducer.get(consumer.source);
    if (!consumers) {
      consumers = new Set();
      this.#ofProducer.set(consumer.source, consumers);
    }
    consumers.add(consumer);
  }
}

/** Whether a receiver with these capabilities can consume the producer (shares a codec). */
function canConsume(producer: Producer, rtpCapabilities: RtpCapabilities): boolean {
  try {
    return producer.transport.router.canConsume({
      producerId: producer.engine.id,
      rtpCapabilities: rtpCapabilities as ms.RtpCapabilities,
    });
  } catch {
    return false;
  }
}
