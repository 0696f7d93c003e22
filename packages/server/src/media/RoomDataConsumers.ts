import { randomId } from '../util/ids.js';
import type { DataConsumer } from './DataConsumer.js';
import type { DataProducer } from './DataProducer.js';
import type { Peer } from './Peer.js';

/**
 * The data consumers of a room's data producers: made with an id unique in
 * the room, known by their data producer, closed with it.
 */
export class RoomDataConsumers {
  readonly #ofProducer = new Map<DataProducer, Set<DataConsumer>>();
  readonly #ids = new Set<number>();

  /** The data consumers of a data producer. */
  of(dataProducer: DataProducer): DataConsumer[] {
    return [...(this.#ofProducer.get(dataProducer) ?? [])];
  }

  /** Gives `viewer` a data consumer of `dataProducer` (made by the peer, its owner). */
  subscribe(viewer: Peer, dataProducer: DataProducer): DataConsumer {
    const dataConsumer = viewer.subscribeData(dataProducer, { id: randomId(this.#ids) });
    this.#ids.add(dataConsumer.id);
    let set = this.#ofProducer.get(dataProducer);
    if (!set) {
      set = new Set();
      this.#ofProducer.set(dataProducer, set);
    }
    set.add(dataConsumer);
    return dataConsumer;
  }

  /** A data producer closed: its data consumers close. */
  sourceClosed(dataProducer: DataProducer): void {
    for (const dc of this.of(dataProducer)) dc.close();
    this.#ofProducer.delete(dataProducer);
  }

  /** A data consumer closed. */
  forget(dataConsumer: DataConsumer): void {
    this.#ids.delete(dataConsumer.id);
    this.#ofProducer.get(dataConsumer.source)?.delete(dataConsumer);
  }
}
