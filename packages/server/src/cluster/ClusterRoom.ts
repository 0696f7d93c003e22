import type { AppData } from '@x/protocol';
import { logger } from '@x/shared';
import type { DataProducer } from '../media/DataProducer.js';
import type { Peer } from '../media/Peer.js';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import { SfuError } from '../util/errors.js';
import { type Bus, unavailable } from './Bus.js';
import { RemotePeer, type RemotePeerSide } from './RemotePeer.js';
import { type ClusterNode, RoomPipes } from './RoomPipes.js';
import type {
  DataProducerRecord,
  KickRequest,
  PeerRecord,
  ProducerRecord,
  RoomEvent,
  ServerDataRecord,
} from './records.js';

const log = logger('x:server:cluster:ClusterRoom');

const producerKey = (peer: string, id: number) => `${peer}/${id}`;

/**
 * One room of a cluster, on this node: the room's peers and producers are
 * shared through Redis (a hash each, for late joiners; a channel, for what
 * happens), and each peer of another node is a {@link RemotePeer} member of
 * the room here whose producers arrive through a pipe from its node (see
 * {@link RoomPipes}). It watches the room's observer, never its events. A
 * node takes part while the room is open on it: a room that has had no local
 * peer for `limits.emptyRoomTimeoutMs` closes here, and lets go of the
 * others' media.
 */
export class ClusterRoom {
  readonly room: Room;
  readonly #node: ClusterNode;
  #attached: Promise<void> | undefined;
  /** The pipes between this node and the others, for this room. */
  readonly pipes: RoomPipes;
  /** What producers of other nodes are (paused? still there?) as last heard. */
  readonly #remote = new Map<string, ProducerRecord | 'closed'>();
  /** Producers of other nodes being made here now (by key). */
  readonly #making = new Set<string>();
  /** What data producers of other nodes are (still there?) as last heard. */
  readonly #remoteData = new Map<string, DataProducerRecord | 'closed'>();
  /** Data producers of other nodes being made here now (by key). */
  readonly #makingData = new Set<string>();
  /** The members of the room that other nodes host, by name. */
  readonly #remotePeers = new Map<string, RemotePeer>();
  /** What those members ask of this room. */
  readonly #remoteSide: RemotePeerSide = {
    kick: (peer, appData) =>
      void this.bus
        .request(peer.node, 'kick', {
          room: this.room.id,
          peer: peer.name,
          appData,
        } satisfies KickRequest)
        .catch((error: unknown) => log.warn('kick of %s: %s', peer.name, String(error))),
    pipe: (peer, producer) => this.pipes.pipeIn(peer, producer.id),
    startMedia: (peer, producer) => this.pipes.startFlow(peer, producer.id),
    unpipe: (peer, producer) => this.pipes.pipeOut(peer, producer.id),
  };

  constructor(room: Room, node: ClusterNode) {
    this.room = room;
    this.#node = node;
    this.pipes = new RoomPipes(room, node);
    room.observer.on('newpeer', (peer) => this.watchLocal(peer));
    // What the server app here sends to the room reaches the peers of the other nodes too.
    room.observer.on('servermessage', (message) => {
      if (message.relayed || !this.attached) return;
      const record: ServerDataRecord = { label: message.label };
      if (typeof message.data === 'string') record.text = message.data;
      else record.binary = Buffer.from(message.data).toString('base64');
      if (message.to) record.to = [...message.to];
      void this.write(() =>
        this.emit({ type: 'server-data', from: this.#node.id, message: record }),
      );
    });
    room.observer.once('close', () => void this.detach());
  }

  /** The members of the room that other nodes host. */
  get remotePeers(): RemotePeer[] {
    return [...this.#remotePeers.values()];
  }

  private get bus(): Bus {
    return this.#node.bus;
  }

  private key(what: 'peers' | 'producers' | 'dataProducers'): string {
    return this.bus.key(`room:${this.room.id}:${what}`);
  }

  private get channel(): string {
    return this.bus.key(`room:${this.room.id}`);
  }

  /**
   * Admits a local joiner: claims its name across the cluster (a name held
   * by a dead node is taken over), attaching this node to the room first.
   * Resolves with what gives the name back if the join fails after all.
   */
  async admit(name: string, spy: boolean): Promise<() => void> {
    if (!this.bus.up) throw unavailable(new Error('not connected'));
    await this.attach();
    const record: PeerRecord = { node: this.#node.id, name, appData: undefined, spy };
    try {
      const taken = await this.bus.cmd.hsetnx(this.key('peers'), name, JSON.stringify(record));
      if (taken === 0) {
        const holder = JSON.parse(
          (await this.bus.cmd.hget(this.key('peers'), name)) ?? '{}',
        ) as Partial<PeerRecord>;
        // A name held by a dead node, or by a draining one (its peer is moving), is taken over.
        if (holder.node && this.#node.isLive(holder.node) && !this.#node.isDraining(holder.node))
          throw new SfuError(
            'PEER_NAME_TAKEN',
            `peer name "${name}" is taken in room ${this.room.id}: choose another`,
            {
              field: 'peerName',
            },
          );
        await this.bus.cmd.hset(this.key('peers'), name, JSON.stringify(record));
      }
    } catch (error) {
      throw error instanceof SfuError ? error : unavailable(error);
    }
    return () =>
      void this.bus.hdelOwned(this.key('peers'), this.#node.id, [name]).catch(() => undefined);
  }

  /** Starts taking part: the room as Redis has it, then what happens to it. */
  attach(): Promise<void> {
    this.#attached ??= (async () => {
      await this.bus.listen(this.channel, (event) => this.onEvent(event as RoomEvent));
      await this.load();
    })().catch((error: unknown) => {
      this.#attached = undefined;
      throw unavailable(error);
    });
    return this.#attached;
  }

  /** Reads the room from Redis and adds what this node does not have (after joining, or Redis's return). */
  async load(): Promise<void> {
    const [peers, producers, dataProducers] = await Promise.all([
      this.bus.cmd.hgetall(this.key('peers')),
      this.bus.cmd.hgetall(this.key('producers')),
      this.bus.cmd.hgetall(this.key('dataProducers')),
    ]);
    for (const text of Object.values(peers)) this.addRemotePeer(JSON.parse(text) as PeerRecord);
    await Promise.all([
      ...Object.values(producers).map((text) =>
        this.addRemoteProducer(JSON.parse(text) as ProducerRecord),
      ),
      ...Object.values(dataProducers).map((text) =>
        this.addRemoteDataProducer(JSON.parse(text) as DataProducerRecord),
      ),
    ]);
  }

  /**
   * Writes this node's peers and producers again (Redis may have lost them,
   * or kept some that left while it was away) and tells the others.
   */
  async republish(): Promise<void> {
    const local = new Set(this.room.peers.map((p) => p.name));
    const [peers, producers, dataProducers] = await Promise.all([
      this.bus.cmd.hgetall(this.key('peers')),
      this.bus.cmd.hgetall(this.key('producers')),
      this.bus.cmd.hgetall(this.key('dataProducers')),
    ]);
    const stale = (
      hash: Record<string, string>,
      nameOf: (r: PeerRecord & ProducerRecord) => string,
    ) =>
      Object.entries(hash)
        .filter(([, text]) => {
          const record = JSON.parse(text) as PeerRecord & ProducerRecord;
          return record.node === this.#node.id && !local.has(nameOf(record));
        })
        .map(([key]) => key);
    const gonePeers = stale(peers, (r) => r.name);
    const goneProducers = stale(producers, (r) => r.peer);
    const goneData = stale(dataProducers, (r) => r.peer);
    await this.bus.hdelOwned(this.key('peers'), this.#node.id, gonePeers);
    await this.bus.hdelOwned(this.key('producers'), this.#node.id, goneProducers);
    await this.bus.hdelOwned(this.key('dataProducers'), this.#node.id, goneData);
    for (const peer of this.room.peers) {
      await this.publishPeer(peer);
      for (const producer of peer.producers) await this.publishProducer(producer);
      for (const dp of peer.dataProducers) await this.publishDataProducer(dp);
    }
  }

  /** Peers and producers of other nodes that Redis no longer has, or whose node is dead, leave here. */
  async prune(): Promise<void> {
    const [peers, producers, dataProducers] = await Promise.all([
      this.bus.cmd.hgetall(this.key('peers')),
      this.bus.cmd.hgetall(this.key('producers')),
      this.bus.cmd.hgetall(this.key('dataProducers')),
    ]);
    for (const peer of this.remotePeers) {
      const holder = peers[peer.name];
      // Gone, or its name held by another node now (it rejoined there).
      if (
        !holder ||
        (JSON.parse(holder) as PeerRecord).node !== peer.node ||
        !this.#node.isLive(peer.node)
      ) {
        this.removeRemotePeer(peer);
        continue;
      }
      for (const dp of peer.dataProducers) {
        if (dataProducers[producerKey(peer.name, dp.id)]) continue;
        this.#remoteData.set(producerKey(peer.name, dp.id), 'closed');
        dp.closeWith('remote');
      }
      for (const producer of peer.producers) {
        if (producers[producerKey(peer.name, producer.id)]) continue;
        this.#remote.set(producerKey(peer.name, producer.id), 'closed');
        producer.closeWith('remote');
      }
    }
  }

  /** Whether this node takes part in the room now. */
  get attached(): boolean {
    return this.#attached !== undefined;
  }

  /** A node died: its peers leave the room here, and the pipes to it close. */
  nodeDown(id: string): void {
    // Its producers are forgotten, not marked closed: a node taken for dead
    // that comes back (a partition) writes them again, with the same ids.
    this.forgetRecords((record) => record.node === id);
    for (const peer of this.remotePeers) {
      if (peer.node !== id) continue;
      this.removeRemotePeer(peer);
      void this.bus.hdelOwned(this.key('peers'), id, [peer.name]).catch(() => undefined);
    }
    this.pipes.dropNode(id);
    for (const what of ['producers', 'dataProducers'] as const)
      void this.bus.cmd
        .hgetall(this.key(what))
        .then((all) => this.bus.hdelOwned(this.key(what), id, Object.keys(all)))
        .catch(() => undefined);
  }

  /**
   * Node `id` took this node for dead and closed its pipes to it: its peers
   * leave here (their pipes lead nowhere) and its producers are forgotten,
   * so that `load` brings them back with pipes made anew. The local peers see
   * them leave and return, as that node's peers saw this node's.
   */
  forgetNode(id: string): void {
    for (const peer of this.remotePeers) if (peer.node === id) this.removeRemotePeer(peer);
    this.forgetRecords((record) => record.node === id);
  }

  /**
   * What was heard of the producers and data producers that `match` picks is
   * forgotten (they come back with an event, or with `load`).
   */
  private forgetRecords(match: (record: ProducerRecord | DataProducerRecord) => boolean): void {
    const maps: Map<string, ProducerRecord | DataProducerRecord | 'closed'>[] = [
      this.#remote,
      this.#remoteData,
    ];
    for (const records of maps)
      for (const [key, record] of records)
        if (record !== 'closed' && match(record)) records.delete(key);
  }

  /**
   * This node lets go of the room (its last peer left, or the room closed):
   * the peers of other nodes leave here, their pipes close.
   */
  async detach(): Promise<void> {
    if (!this.#attached) return;
    this.#attached = undefined;
    await this.bus.unlisten(this.channel);
    for (const peer of this.remotePeers) {
      void this.bus
        .request(peer.node, 'unlink', { room: this.room.id, peer: peer.name, from: this.#node.id })
        .catch(() => undefined);
      peer.closeWith('remote');
    }
    this.pipes.clearInbound();
    this.#remote.clear();
    this.#remoteData.clear();
  }

  // — what happens here, told to the others —

  private watchLocal(peer: Peer): void {
    void this.publishPeer(peer);
    peer.observer.on('newproducer', (producer) => {
      void this.publishProducer(producer);
      // Other nodes follow its state (paused by either side), not each action.
      const changed = (_o: unknown, appData: AppData | undefined) =>
        this.producerChanged(
          producer,
          producer.paused ? 'producer-pause' : 'producer-resume',
          appData,
        );
      producer.observer.on('pause', changed);
      producer.observer.on('resume', changed);
      producer.observer.once('close', (_o, appData) =>
        this.producerChanged(producer, 'producer-close', appData),
      );
    });
    peer.observer.on('newdataproducer', (dp) => {
      void this.publishDataProducer(dp);
      dp.observer.once('close', (_o, appData) => this.dataProducerClosed(dp, appData));
    });
    // Its observer's close comes before its producers close: their records go with its release.
    peer.observer.once('close', ({ appData }) => {
      const keys = peer.producers.map((p) => producerKey(peer.name, p.id));
      const dataKeys = peer.dataProducers.map((dp) => producerKey(peer.name, dp.id));
      void this.write(() => this.release(peer, appData, keys, dataKeys));
    });
  }

  /**
   * Tells the cluster a local peer left (its records go, the others hear of
   * it); what drain awaits before it closes the peer, so that the peer's
   * name is free when its client rejoins through another node.
   */
  async release(
    peer: Peer,
    appData?: AppData,
    keys = peer.producers.map((p) => producerKey(peer.name, p.id)),
    dataKeys = peer.dataProducers.map((dp) => producerKey(peer.name, dp.id)),
  ): Promise<void> {
    await this.bus.hdelOwned(this.key('peers'), this.#node.id, [peer.name]);
    await this.bus.hdelOwned(this.key('producers'), this.#node.id, keys);
    await this.bus.hdelOwned(this.key('dataProducers'), this.#node.id, dataKeys);
    await this.emit({ type: 'peer-leave', from: this.#node.id, peer: peer.name, appData });
  }

  private async publishPeer(peer: Peer): Promise<void> {
    const record: PeerRecord = {
      node: this.#node.id,
      name: peer.name,
      appData: peer.appData,
      spy: peer.spy,
    };
    await this.write(async () => {
      await this.bus.cmd.hset(this.key('peers'), peer.name, JSON.stringify(record));
      if (!peer.spy) await this.emit({ type: 'peer-join', from: this.#node.id, peer: record });
    });
  }

  private async publishProducer(producer: Producer): Promise<void> {
    const record = this.recordOf(producer);
    await this.write(async () => {
      await this.bus.cmd.hset(
        this.key('producers'),
        producerKey(record.peer, record.id),
        JSON.stringify(record),
      );
      await this.emit({ type: 'producer-add', from: this.#node.id, producer: record });
    });
  }

  private async publishDataProducer(dp: DataProducer): Promise<void> {
    const record: DataProducerRecord = {
      node: this.#node.id,
      peer: dp.peer.name,
      id: dp.id,
      appData: dp.appData,
      engineId: dp.engine.id,
      label: dp.label,
      protocol: dp.protocol,
    };
    await this.write(async () => {
      await this.bus.cmd.hset(
        this.key('dataProducers'),
        producerKey(record.peer, record.id),
        JSON.stringify(record),
      );
      await this.emit({ type: 'data-producer-add', from: this.#node.id, dataProducer: record });
    });
  }

  private dataProducerClosed(dp: DataProducer, appData: AppData | undefined): void {
    const key = producerKey(dp.peer.name, dp.id);
    void this.write(async () => {
      await this.bus.hdelOwned(this.key('dataProducers'), this.#node.id, [key]);
      await this.emit({
        type: 'data-producer-close',
        from: this.#node.id,
        peer: dp.peer.name,
        id: dp.id,
        appData,
      });
    });
  }

  private producerChanged(
    producer: Producer,
    type: 'producer-pause' | 'producer-resume' | 'producer-close',
    appData: AppData | undefined,
  ): void {
    const key = producerKey(producer.peer.name, producer.id);
    void this.write(async () => {
      if (type === 'producer-close')
        await this.bus.hdelOwned(this.key('producers'), this.#node.id, [key]);
      else
        await this.bus.cmd.hset(
          this.key('producers'),
          key,
          JSON.stringify(this.recordOf(producer)),
        );
      await this.emit({
        type,
        from: this.#node.id,
        peer: producer.peer.name,
        id: producer.id,
        appData,
      });
    });
  }

  private recordOf(producer: Producer): ProducerRecord {
    return {
      node: this.#node.id,
      peer: producer.peer.name,
      id: producer.id,
      kind: producer.kind,
      paused: producer.paused,
      appData: producer.appData,
      engineId: producer.engine.id,
      rtpParameters: this.pipes.pipeParametersOf(producer),
    };
  }

  private emit(event: RoomEvent): Promise<void> {
    return this.bus.publish(this.channel, event);
  }

  /** A write to Redis; while it is away, it is done again (all of this node's state) when it returns. */
  private async write(operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      log.warn(
        'room %s: cluster state not written (%s): written again when Redis returns',
        this.room.id,
        String(error),
      );
    }
  }

  // — what happens on other nodes —

  private onEvent(event: RoomEvent): void {
    if (event.from === this.#node.id) return;
    switch (event.type) {
      case 'peer-join':
        this.addRemotePeer(event.peer);
        return;
      case 'peer-leave': {
        // Only the peer of the node that says so: one of the same name may
        // have joined through another node already (a rejoin).
        const peer = this.#remotePeers.get(event.peer);
        if (peer?.node !== event.from) return;
        this.removeRemotePeer(peer, event.appData);
        return;
      }
      case 'producer-add':
        void this.addRemoteProducer(event.producer);
        return;
      case 'data-producer-add':
        void this.addRemoteDataProducer(event.dataProducer);
        return;
      case 'data-producer-close': {
        const key = producerKey(event.peer, event.id);
        const known = this.#remoteData.get(key);
        // Of a data producer of the same name and id on another node (its peer rejoined there): stale.
        if (known && known !== 'closed' && known.node !== event.from) return;
        this.#remoteData.set(key, 'closed');
        const peer = this.#remotePeers.get(event.peer);
        if (peer?.node === event.from)
          peer.getDataProducerById(event.id)?.closeWith('remote', event.appData);
        return;
      }
      case 'server-data': {
        const { label, text, binary, to } = event.message;
        this.room.relayServerData({
          label: typeof label === 'string' ? label : '',
          data: typeof text === 'string' ? text : Buffer.from(String(binary ?? ''), 'base64'),
          to: Array.isArray(to) ? new Set(to) : undefined,
        });
        return;
      }
      default: {
        const key = producerKey(event.peer, event.id);
        const known = this.#remote.get(key);
        // Of a producer of the same name and id on another node (its peer rejoined there): stale.
        if (known && known !== 'closed' && known.node !== event.from) return;
        if (event.type === 'producer-close') this.#remote.set(key, 'closed');
        else if (known && known !== 'closed') known.paused = event.type === 'producer-pause';
        const producer = this.remoteProducer(event.peer, event.id, event.from);
        if (!producer) return;
        if (event.type === 'producer-close') producer.closeWith('remote', event.appData);
        else producer.setRemotelyPaused(event.type === 'producer-pause', event.appData);
      }
    }
  }

  private addRemotePeer(record: PeerRecord): void {
    if (record.node === this.#node.id || record.spy || !this.#node.isLive(record.node)) return;
    if (this.room.closed) return;
    if (this.room.getMember(record.name)) {
      const held = this.#remotePeers.get(record.name);
      // A peer of this node, or this very one: nothing to add.
      if (!held || held.node === record.node) return;
      // The peer rejoined through record.node before this node heard that
      // it left the old one (a node takes a name over only from a node it
      // takes for dead, or a draining one; the nodes read Redis on beats of
      // their own, so this node may take the old one for alive a beat
      // longer). Its name is the new node's now: the old one leaves.
      this.removeRemotePeer(held);
    }
    const peer = new RemotePeer({
      name: record.name,
      appData: record.appData,
      node: record.node,
      side: this.#remoteSide,
    });
    this.#remotePeers.set(peer.name, peer);
    peer.observer.once('close', () => {
      if (this.#remotePeers.get(peer.name) === peer) this.#remotePeers.delete(peer.name);
    });
    peer.joined(
      this.room.addMember(peer, {
        acquire: (p) => peer.acquire(p),
        startMedia: (p) => peer.startMedia(p),
      }),
    );
    // Its producers that were heard of before it (see addRemoteProducer).
    for (const record of this.#remote.values())
      if (record !== 'closed' && record.peer === peer.name && record.node === peer.node)
        void this.addRemoteProducer(record);
    for (const record of this.#remoteData.values())
      if (record !== 'closed' && record.peer === peer.name && record.node === peer.node)
        void this.addRemoteDataProducer(record);
  }

  /** A peer of another node leaves here, and what was heard of its producers goes with it (one of the same name may come back). */
  private removeRemotePeer(peer: RemotePeer, appData?: AppData): void {
    peer.closeWith('remote', appData);
    this.pipes.forgetInbound(peer);
    this.forgetRecords((record) => record.peer === peer.name && record.node === peer.node);
  }

  /**
   * Makes a data producer of another node here (the end of its pipe, over
   * the SCTP association of its peer's link), and gives it to the room.
   */
  private async addRemoteDataProducer(record: DataProducerRecord): Promise<void> {
    if (record.node === this.#node.id || !this.#node.isLive(record.node)) return;
    const key = producerKey(record.peer, record.id);
    const known = this.#remoteData.get(key);
    const peer = this.#remotePeers.get(record.peer);
    // One of the same name and id on another node is another data producer (its peer rejoined here).
    if (known && known !== 'closed' && known.node === record.node) {
      // Made, or being made; otherwise it came before its peer: made now.
      if (
        (peer?.node === record.node && peer.getDataProducerById(record.id)) ||
        this.#makingData.has(key)
      )
        return;
    } else this.#remoteData.set(key, record);
    // Kept until its peer comes (addRemotePeer makes it then).
    if (!peer || peer.node !== record.node) return;
    this.#makingData.add(key);
    try {
      const { link, engine } = await this.pipes.produceDataHere(peer, record);
      if (this.#remoteData.get(key) === 'closed' || peer.closed) {
        engine.close();
        return;
      }
      peer.addDataProducer({ id: record.id, link, engine, appData: record.appData });
    } catch (error) {
      this.#remoteData.delete(key);
      log.warn('data producer %s of node %s could not be made here: %o', key, record.node, error);
    } finally {
      this.#makingData.delete(key);
    }
  }

  /**
   * Makes a producer of another node here (the end of its pipe, which
   * carries media once a consumer here needs it), and gives it to the room.
   */
  private async addRemoteProducer(record: ProducerRecord): Promise<void> {
    if (record.node === this.#node.id || !this.#node.isLive(record.node)) return;
    const key = producerKey(record.peer, record.id);
    const known = this.#remote.get(key);
    // One of the same name and id on another node is another producer (its peer rejoined there).
    if (known && known !== 'closed' && known.node === record.node) {
      // Known already (read again after Redis returned): only its pause may have changed.
      known.paused = record.paused;
      const made = this.remoteProducer(record.peer, record.id, record.node);
      made?.setRemotelyPaused(record.paused, record.appData);
      // Made, or being made; otherwise it came before its peer (an event
      // while the room was being read from Redis): made now.
      if (made || this.#making.has(key)) return;
    } else this.#remote.set(key, record);
    const peer = this.#remotePeers.get(record.peer);
    // Kept until its peer comes (addRemotePeer makes it then).
    if (!peer || peer.node !== record.node) return;
    const srtp = this.#node.pipe.srtp;
    if (this.#node.pipeSrtpOf(record.node) === !srtp) {
      // Its pipes could never connect: say why once, where the operator looks.
      log.warn(
        'producer %s of node %s could not be piped here: node %s sends %s pipes, this node %s %s: give every node the same cluster.pipeSrtp',
        key,
        record.node,
        record.node,
        srtp ? 'plain RTP' : 'SRTP',
        this.#node.id,
        srtp ? 'SRTP' : 'plain RTP',
      );
      return;
    }
    this.#making.add(key);
    try {
      const { link, engine } = await this.pipes.produceHere(peer, record);
      const latest = this.#remote.get(key);
      if (latest === 'closed' || peer.closed) {
        engine.close();
        return;
      }
      // Its node pipes it when a consumer here needs it (RemotePeer.acquire).
      peer.addProducer({
        id: record.id,
        link,
        engine,
        appData: record.appData,
        paused: latest?.paused ?? record.paused,
      });
    } catch (error) {
      this.#remote.delete(key);
      log.warn('producer %s of node %s could not be made here: %o', key, record.node, error);
    } finally {
      this.#making.delete(key);
    }
  }

  /** Producer `id` of the peer of node `node` named `peerName`, if it is here. */
  private remoteProducer(peerName: string, id: number, node: string): Producer | undefined {
    const peer = this.#remotePeers.get(peerName);
    return peer?.node === node ? peer.getProducerById(id) : undefined;
  }
}
