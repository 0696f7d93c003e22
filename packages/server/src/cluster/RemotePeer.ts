import type { types as ms } from '@x/mediasoup';
import type { AppData } from '@x/protocol';
import { Emitter, logger, Observer } from '@x/shared';
import { DataProducer } from '../media/DataProducer.js';
import type { MemberHooks } from '../media/MemberHooks.js';
import type { Originator } from '../media/Originator.js';
import { Producer } from '../media/Producer.js';
import type { RoomMember, RoomMemberEvents } from '../media/RoomMember.js';
import type { Transport } from '../media/Transport.js';

const log = logger('x:server:cluster:RemotePeer');

/** What a peer of another node needs of its cluster room. */
export interface RemotePeerSide {
  /** Asks the peer's node to take the peer out of the room. */
  kick(peer: RemotePeer, appData: AppData | undefined): void;
  /** Asks the peer's node to pipe one of its producers here (its media held back, for video). */
  pipe(peer: RemotePeer, producer: Producer): Promise<void>;
  /** Asks the peer's node to let the media of one of its producers through the pipe. */
  startMedia(peer: RemotePeer, producer: Producer): Promise<void>;
  /** Tells the peer's node that nothing here needs one of its producers any more. */
  unpipe(peer: RemotePeer, producer: Producer): Promise<void>;
}

/** How this node uses one producer of a remote peer. */
interface ProducerUse {
  /** Consumers here that need it (engine consumers, of any router). */
  users: number;
  /** Whether its media was asked for since it was piped. */
  flowing: boolean;
  /** The requests to its node, one after the other, in the order they were decided. */
  queue: Promise<void>;
  /** Counts the times it was piped (a retry of a failed pipe is for the same one only). */
  epoch: number;
}

/** How long a pipe that its node could not make waits before it is asked for again. */
const PIPE_RETRY_MS = 2000;

/**
 * A member of a room that another node of the cluster hosts: its client is
 * connected there, and its producers reach this node through a pipe (same
 * producer ids), where this node's peers consume them like any other. It
 * has no transports or consumers here. A producer's pipe is lazy: its node
 * sends it here from the moment a consumer here needs it until the last one
 * has closed.
 */
export class RemotePeer extends Emitter<RoomMemberEvents> implements RoomMember {
  /** Peer name, unique in the room across the cluster. */
  readonly name: string;
  /** The app's data about the peer, from its join. */
  readonly appData: AppData | undefined;
  /** The id of the node that hosts it. */
  readonly node: string;
  /** Peers of other nodes are never spies here: spies are not shared. */
  readonly spy = false;
  /** What the server's own subsystems watch: the same events as the peer's. */
  readonly observer = new Observer<RoomMemberEvents>();

  #closed = false;
  #hooks: MemberHooks | undefined;
  #link: Transport | undefined;
  readonly #side: RemotePeerSide;
  readonly #producers = new Map<number, Producer>();
  readonly #dataProducers = new Map<number, DataProducer>();
  /** What this node uses of each producer, while something does. */
  readonly #uses = new Map<Producer, ProducerUse>();

  /** @internal Created by the cluster's part of the room. */
  constructor(options: {
    name: string;
    appData: AppData | undefined;
    node: string;
    side: RemotePeerSide;
  }) {
    super();
    this.name = options.name;
    this.appData = options.appData;
    this.node = options.node;
    this.#side = options.side;
  }

  /** Whether it left the room (here). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Its producers, piped to this node. */
  get producers(): Producer[] {
    return [...this.#producers.values()];
  }

  /** Its data producers, piped to this node. */
  get dataProducers(): DataProducer[] {
    return [...this.#dataProducers.values()];
  }

  /** The data producer with this id, if it is piped here. */
  getDataProducerById(id: number): DataProducer | undefined {
    return this.#dataProducers.get(id);
  }

  /** The producer with this id, if it is piped here. */
  getProducerById(id: number): Producer | undefined {
    return this.#producers.get(id);
  }

  /** Takes it out of the room: its node closes the peer, and every node hears it left. */
  close(appData?: AppData): void {
    if (this.#closed) return;
    this.#side.kick(this, appData);
  }

  /** @internal The room took it in: what it tells the room from now on. */
  joined(hooks: MemberHooks): void {
    this.#hooks = hooks;
  }

  /** @internal This node's end of the pipe its producers arrive on. */
  useLink(link: Transport): void {
    this.#link = link;
    if (this.#closed) link.closeWith('remote');
  }

  /** @internal Adds one of its producers, piped here; the room's peers get consumers of it. */
  addProducer(options: {
    id: number;
    link: Transport;
    engine: ms.Producer;
    appData: AppData | undefined;
    paused: boolean;
  }): Producer {
    const hooks = this.#hooks!;
    const producer = new Producer({
      id: options.id,
      peer: this,
      transport: options.link,
      engine: options.engine,
      appData: options.appData,
      paused: options.paused,
      hooks: {
        pauseChanged: (p, appData) => hooks.producerPauseChanged(p, appData),
        preferredProfileSet: (p, profile) => hooks.producerPreferredProfileSet(p, profile),
        closed: (p) => {
          this.#producers.delete(p.id);
          this.#uses.delete(p);
          hooks.producerClosed(p);
        },
      },
    });
    this.#producers.set(producer.id, producer);
    hooks.producerAdded(producer);
    return producer;
  }

  /**
   * @internal Adds one of its data producers, piped here (over SCTP on its
   * link); the room's peers get data consumers of it.
   */
  addDataProducer(options: {
    id: number;
    link: Transport;
    engine: ms.DataProducer;
    appData: AppData | undefined;
  }): DataProducer {
    const hooks = this.#hooks!;
    const dataProducer = new DataProducer({
      id: options.id,
      peer: this,
      transport: options.link,
      engine: options.engine,
      appData: options.appData,
      hooks: {
        closed: (dp) => {
          this.#dataProducers.delete(dp.id);
          hooks.dataProducerClosed(dp);
        },
      },
    });
    this.#dataProducers.set(dataProducer.id, dataProducer);
    hooks.dataProducerAdded(dataProducer);
    return dataProducer;
  }

  /**
   * @internal A consumer here needs one of its producers: the first use asks
   * its node to pipe it here; the function returned gives the use back, and
   * the last one given back asks its node to stop. The requests are not
   * waited for (a round trip through Redis, up to the bus timeout when that
   * node is gone, would hold up the consumer) but go in order, so that a
   * producer given back and needed again ends up piped.
   */
  acquire(producer: Producer): () => void {
    let use = this.#uses.get(producer);
    if (!use) {
      use = { users: 0, flowing: false, queue: Promise.resolve(), epoch: 0 };
      this.#uses.set(producer, use);
    }
    const current = use;
    if (++current.users === 1) {
      current.epoch++;
      this.request(current, producer, 'pipe');
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      current.flowing = false;
      // A producer or peer that closed took its pipe along.
      if (!producer.closed && !this.#closed) this.request(current, producer, 'unpipe');
    };
  }

  /**
   * @internal A consumer here starts receiving one of its producers: its
   * node is asked, once per pipe, to let that media through (audio flows as
   * soon as it is piped).
   */
  startMedia(producer: Producer): void {
    const use = this.#uses.get(producer);
    if (producer.kind !== 'video' || !use || use.users === 0 || use.flowing) return;
    use.flowing = true;
    this.request(use, producer, 'startMedia');
  }

  private request(
    use: ProducerUse,
    producer: Producer,
    what: 'pipe' | 'startMedia' | 'unpipe',
  ): void {
    const epoch = use.epoch;
    log.debug('producer %d of %s (node %s): %s', producer.id, this.name, this.node, what);
    use.queue = use.queue.then(() =>
      this.#side[what](this, producer).catch((error: unknown) => {
        if (producer.closed || this.#closed) return;
        log.warn('producer %d of node %s: %s failed: %o', producer.id, this.node, what, error);
        // Its node may be back in a moment (a lost request, Redis failing
        // over): a pipe still needed is asked for again.
        if (what !== 'pipe') return;
        setTimeout(() => {
          const still = this.#uses.get(producer) === use && use.users > 0 && use.epoch === epoch;
          if (!still || producer.closed || this.#closed) return;
          this.request(use, producer, 'pipe');
          if (use.flowing) this.request(use, producer, 'startMedia');
        }, PIPE_RETRY_MS).unref();
      }),
    );
  }

  /** @internal It left the room (its node said so, or died, or this node let go of the room). */
  closeWith(originator: Originator, appData?: AppData): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const producer of this.producers) producer.closeWith(originator);
    for (const dp of this.dataProducers) dp.closeWith(originator);
    this.#link?.closeWith(originator);
    this.#hooks?.closed(this, appData);
    this.observer.notify('close', originator, appData);
    this.safeEmit('close', originator, appData);
  }
}
