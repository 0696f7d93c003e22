import { isIP } from 'node:net';
import { type types as ms, pipeConsumerRtpParameters } from '@x/mediasoup';
import type { RtpParameters } from '@x/protocol';
import { logger } from '@x/shared';
import type { Peer } from '../media/Peer.js';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import { Transport } from '../media/Transport.js';
import { SfuError } from '../util/errors.js';
import { randomId } from '../util/ids.js';
import type { Bus } from './Bus.js';
import type { RemotePeer } from './RemotePeer.js';
import type {
  ConsumeDataAnswer,
  ConsumeDataRequest,
  ConsumeRequest,
  DataProducerRecord,
  FlowRequest,
  LinkAnswer,
  LinkRequest,
  PipeSrtp,
  ProducerRecord,
} from './records.js';

const log = logger('x:server:cluster:RoomPipes');

/** What a cluster room needs of its node. */
export interface ClusterNode {
  id: string;
  bus: Bus;
  /** The pipe address this node listens on, and announces; whether its pipes are SRTP. */
  pipe: { ip: string; announcedIp: string | undefined; srtp: boolean };
  /** Whether a node is alive now. */
  isLive(id: string): boolean;
  /** Whether a node is draining (its peers are moving to other nodes). */
  isDraining(id: string): boolean;
  /** Whether a live node's pipes are SRTP (undefined: not a live node). */
  pipeSrtpOf(id: string): boolean | undefined;
}

/**
 * The media of one room between this node and the others: one pipe
 * transport pair per (peer of another node, this node), and over it one pipe
 * per producer, with the same producer id on both nodes. Pipes are lazy:
 * this node makes its end of a producer's pipe (a producer with the pipe
 * parameters its node announced) when it hears of it, and asks the
 * producer's node for the pair (`link`, the first time) and for the pipe
 * (`consume`) only when a consumer here needs it; when the last one has
 * gone, the pipe closes (`unconsume`). It answers the same requests of the
 * other nodes for its own peers.
 */
export class RoomPipes {
  readonly #room: Room;
  readonly #node: ClusterNode;
  /**
   * This node's pipe ends for peers of other nodes (their producers arrive
   * here), by peer: not by name, since a peer that rejoins through another
   * node is a new RemotePeer under the same name while the old one may not
   * have left yet.
   */
  readonly #inbound = new Map<RemotePeer, Promise<Transport>>();
  /** This node's pipe ends sending its peers' producers to other nodes, by `${peer}|${node}`. */
  readonly #outbound = new Map<string, ms.PipeTransport>();
  /** The pipe consumers of this node's producers, by `${peer}|${node}|${producer}`. */
  readonly #feeds = new Map<string, ms.Consumer>();
  /** The pipe data consumers of this node's data producers, by `${peer}|${node}|${dataProducer}`. */
  readonly #dataFeeds = new Map<string, ms.DataConsumer>();
  /** The RTP parameters of this node's producers' pipes. */
  readonly #pipeParameters = new WeakMap<Producer, RtpParameters>();
  /** Pipe transports here that are linked to their far end (once each: a pipe transport connects once). */
  readonly #linked = new WeakMap<Transport, Promise<void>>();

  constructor(room: Room, node: ClusterNode) {
    this.#room = room;
    this.#node = node;
  }

  private get bus(): Bus {
    return this.#node.bus;
  }

  /**
   * Makes this node's end of the pipe of a producer of `peer` (a peer of
   * another node): a producer on the peer's pipe transport here, with the
   * pipe parameters its node announced; nothing reaches it until
   * {@link pipeIn}.
   */
  async produceHere(
    peer: RemotePeer,
    record: ProducerRecord,
  ): Promise<{ link: Transport; engine: ms.Producer }> {
    const link = await this.inbound(peer);
    const engine = await (link.engine as ms.PipeTransport).produce({
      id: record.engineId,
      kind: record.kind,
      rtpParameters: record.rtpParameters as ms.RtpParameters,
      paused: record.paused,
    });
    return { link, engine };
  }

  /**
   * Makes this node's end of the pipe of a data producer of `peer` (a peer of
   * another node): data is not lazy (it is light, and a message must not
   * wait for a pipe), so its node is asked at once to send it over the
   * link's SCTP association, and the end here produces on that stream.
   */
  async produceDataHere(
    peer: RemotePeer,
    record: DataProducerRecord,
  ): Promise<{ link: Transport; engine: ms.DataProducer }> {
    const link = await this.linked(peer);
    const stream = await this.bus.request<ConsumeDataAnswer>(peer.node, 'consume-data', {
      room: this.#room.id,
      peer: peer.name,
      from: this.#node.id,
      dataProducer: record.id,
    } satisfies ConsumeDataRequest);
    const engine = await (link.engine as ms.PipeTransport).produceData({
      id: record.engineId,
      sctpStreamParameters: checkStream(stream),
      label: record.label,
      protocol: record.protocol,
    });
    return { link, engine };
  }

  /**
   * Asks the node of `peer` to send producer `id` through the pipe (linking
   * the pipe pair first, the first time): video is held back until
   * {@link startFlow}.
   */
  async pipeIn(peer: RemotePeer, id: number): Promise<void> {
    await this.linked(peer);
    await this.askAbout(peer, 'consume', id);
  }

  /** Tells the node of `peer` that producer `id` is no longer needed here: its pipe closes. */
  pipeOut(peer: RemotePeer, id: number): Promise<void> {
    return this.askAbout(peer, 'unconsume', id);
  }

  /**
   * Lets producer `id` of `peer` (a peer of another node, piped here) through
   * its pipe: its node resumes the pipe's consumer.
   */
  startFlow(peer: RemotePeer, id: number): Promise<void> {
    return this.askAbout(peer, 'flow', id);
  }

  /** A request to the node of `peer` about its producer `id`'s pipe to this node. */
  private async askAbout(
    peer: RemotePeer,
    what: 'consume' | 'unconsume' | 'flow',
    id: number,
  ): Promise<void> {
    await this.bus.request(peer.node, what, {
      room: this.#room.id,
      peer: peer.name,
      from: this.#node.id,
      producer: id,
    } satisfies ConsumeRequest & FlowRequest);
  }

  /** A peer of another node left: its pipe transport here went with it. */
  forgetInbound(peer: RemotePeer): void {
    this.#inbound.delete(peer);
  }

  /** This node lets go of the room: the pipe transports here went with their peers. */
  clearInbound(): void {
    this.#inbound.clear();
  }

  /** A node died: the pipes sending to it close. */
  dropNode(id: string): void {
    for (const [key, transport] of this.#outbound) {
      if (!key.endsWith(`|${id}`)) continue;
      transport.close();
      this.#outbound.delete(key);
    }
  }

  /** Another node wants a local peer's producers: this node's end of the pair. */
  async link(request: LinkRequest): Promise<LinkAnswer> {
    // Only a node of the cluster sends this, but media goes where it says: check it is an address.
    if (
      !isIP(request.ip) ||
      !Number.isInteger(request.port) ||
      request.port < 1 ||
      request.port > 65535
    )
      throw new SfuError('BAD_REQUEST', `link: ${request.ip}:${request.port} is not an address`);
    const srtp = this.#node.pipe.srtp;
    if (srtp !== (request.srtp !== undefined))
      throw new SfuError(
        'BAD_REQUEST',
        `link: node ${request.from} sends ${request.srtp ? 'SRTP' : 'plain RTP'} pipes, this node ${this.#node.id} ${srtp ? 'SRTP' : 'plain RTP'}: give every node the same cluster.pipeSrtp`,
      );
    const remoteSrtp = request.srtp && checkSrtp(request.srtp);
    const peer = this.localPeer(request.peer);
    const key = `${request.peer}|${request.from}`;
    log.debug(
      'link of %s to node %s (%s:%d)',
      request.peer,
      request.from,
      request.ip,
      request.port,
    );
    this.#outbound.get(key)?.close();
    const transport = await peer.router.createPipeTransport({
      listenIp: { ip: this.#node.pipe.ip, announcedIp: this.#node.pipe.announcedIp },
      enableRtx: true,
      enableSrtp: srtp,
      ...PIPE_SCTP,
    });
    try {
      await transport.connect({
        ip: request.ip,
        port: request.port,
        srtpParameters: remoteSrtp as ms.SrtpParameters | undefined,
      });
    } catch (error) {
      transport.close();
      throw error;
    }
    this.#outbound.set(key, transport);
    // The peer leaving takes its pipes with it.
    peer.observer.once('close', () => {
      if (this.#outbound.get(key) === transport) this.#outbound.delete(key);
      transport.close();
    });
    return {
      ip: this.#node.pipe.announcedIp ?? this.#node.pipe.ip,
      port: transport.tuple.localPort,
      srtp: transport.srtpParameters && { ...transport.srtpParameters },
    };
  }

  /** Another node wants one producer of a local peer over its link (again: a new pipe, same parameters). */
  async consume(request: ConsumeRequest): Promise<void> {
    const peer = this.localPeer(request.peer);
    const transport = this.#outbound.get(`${request.peer}|${request.from}`);
    if (!transport)
      throw new SfuError('NOT_FOUND', `no link of ${request.peer} to node ${request.from}`);
    const producer = peer.getProducerById(request.producer);
    if (!producer)
      throw new SfuError('NOT_FOUND', `peer ${request.peer} has no producer ${request.producer}`);
    // Video waits for a consumer at the far end to start (flow): the key
    // frame the pipe asks for as it starts is then one that consumer shows.
    // The parameters announced with the producer: the far end's producer
    // was made with them.
    const consumer = await transport.consume({
      producerId: producer.engine.id,
      paused: producer.kind === 'video',
      rtpParameters: this.pipeParametersOf(producer),
    });
    const key = `${request.peer}|${request.from}|${request.producer}`;
    log.debug('pipe of producer %d of %s to node %s', request.producer, request.peer, request.from);
    this.#feeds.get(key)?.close();
    this.#feeds.set(key, consumer);
    consumer.observer.once('close', () => {
      if (this.#feeds.get(key) === consumer) this.#feeds.delete(key);
    });
  }

  /** Another node wants a data producer of a local peer over its link: its SCTP stream there. */
  async consumeData(request: ConsumeDataRequest): Promise<ConsumeDataAnswer> {
    const peer = this.localPeer(request.peer);
    const transport = this.#outbound.get(`${request.peer}|${request.from}`);
    if (!transport)
      throw new SfuError('NOT_FOUND', `no link of ${request.peer} to node ${request.from}`);
    const dataProducer = peer.getDataProducerById(request.dataProducer);
    if (!dataProducer)
      throw new SfuError(
        'NOT_FOUND',
        `peer ${request.peer} has no data producer ${request.dataProducer}`,
      );
    const key = `${request.peer}|${request.from}|${request.dataProducer}`;
    this.#dataFeeds.get(key)?.close();
    const consumer = await transport.consumeData({ dataProducerId: dataProducer.engine.id });
    this.#dataFeeds.set(key, consumer);
    consumer.observer.once('close', () => {
      if (this.#dataFeeds.get(key) === consumer) this.#dataFeeds.delete(key);
    });
    const p = consumer.sctpStreamParameters!;
    return {
      streamId: p.streamId,
      ordered: p.ordered ?? true,
      maxPacketLifeTime: p.maxPacketLifeTime,
      maxRetransmits: p.maxRetransmits,
    };
  }

  /** How many other nodes a local data producer is piped to now. */
  dataNodesOf(dataProducer: { id: number; peer: { name: string } }): number {
    const prefix = `${dataProducer.peer.name}|`;
    const suffix = `|${dataProducer.id}`;
    let count = 0;
    for (const [key, feed] of this.#dataFeeds)
      if (key.startsWith(prefix) && key.endsWith(suffix) && !feed.closed) count++;
    return count;
  }

  /** Another node no longer needs a local peer's producer: its pipe closes. */
  unconsume(request: ConsumeRequest): void {
    const key = `${request.peer}|${request.from}|${request.producer}`;
    log.debug(
      'no more pipe of producer %d of %s to node %s',
      request.producer,
      request.peer,
      request.from,
    );
    this.#feeds.get(key)?.close();
    this.#feeds.delete(key);
  }

  /**
   * The RTP parameters a local producer is piped with, to every node and
   * every time (announced with it: the other nodes produce with them).
   */
  pipeParametersOf(producer: Producer): RtpParameters {
    let parameters = this.#pipeParameters.get(producer);
    if (!parameters) {
      parameters = pipeConsumerRtpParameters(producer.engine, { rtx: true }) as RtpParameters;
      this.#pipeParameters.set(producer, parameters);
    }
    return parameters;
  }

  /** How many other nodes a local producer is piped to now. */
  nodesOf(producer: Producer): number {
    const prefix = `${producer.peer.name}|`;
    const suffix = `|${producer.id}`;
    let count = 0;
    for (const [key, feed] of this.#feeds)
      if (key.startsWith(prefix) && key.endsWith(suffix) && !feed.closed) count++;
    return count;
  }

  /** Another node has a consumer of a local peer's producer starting: the pipe carries it from now on. */
  async flow(request: FlowRequest): Promise<void> {
    const feed = this.#feeds.get(`${request.peer}|${request.from}|${request.producer}`);
    if (!feed)
      throw new SfuError('NOT_FOUND', `no pipe of producer ${request.producer} to ${request.from}`);
    if (feed.paused) await feed.resume();
  }

  /** Another node no longer wants a local peer's producers. */
  unlink(request: { peer: string; from: string }): void {
    const key = `${request.peer}|${request.from}`;
    this.#outbound.get(key)?.close();
    this.#outbound.delete(key);
  }

  /**
   * This node's end of the pipe pair with the node of `peer`; a new one when
   * the one it had closed (its peer left when its node was taken for dead).
   */
  private async inbound(peer: RemotePeer): Promise<Transport> {
    const cached = this.#inbound.get(peer);
    if (cached) {
      const link = await cached.catch(() => undefined);
      if (link && !link.closed) return link;
      if (this.#inbound.get(peer) === cached) this.#inbound.delete(peer);
    }
    return this.newInbound(peer);
  }

  private newInbound(peer: RemotePeer): Promise<Transport> {
    let pending = this.#inbound.get(peer);
    if (!pending) {
      pending = (async () => {
        const router = this.#room.router;
        const engine = await router.createPipeTransport({
          listenIp: { ip: this.#node.pipe.ip, announcedIp: this.#node.pipe.announcedIp },
          enableRtx: true,
          enableSrtp: this.#node.pipe.srtp,
          ...PIPE_SCTP,
        });
        const link = new Transport({
          id: randomId(),
          direction: 'send',
          type: 'pipe',
          peer,
          engine,
          router,
          appData: undefined,
          owner: {
            producers: (t) => peer.producers.filter((p) => p.transport === t),
            consumers: () => [],
            // Its producers close with it.
            closing: (t, originator) => {
              for (const producer of peer.producers)
                if (producer.transport === t) producer.closeWith(originator);
            },
          },
        });
        peer.useLink(link);
        return link;
      })();
      this.#inbound.set(peer, pending);
      pending.catch(() => {
        if (this.#inbound.get(peer) === pending) this.#inbound.delete(peer);
      });
      peer.observer.once('close', () => this.#inbound.delete(peer));
    }
    return pending;
  }

  /**
   * This node's end of the pipe pair with the node of `peer`, linked to the
   * far end (which that node makes now, the first time a producer of the
   * peer is needed here).
   */
  private async linked(peer: RemotePeer): Promise<Transport> {
    const link = await this.inbound(peer);
    let linking = this.#linked.get(link);
    if (!linking) {
      linking = this.connectLink(peer, link);
      this.#linked.set(link, linking);
      // A link that failed is tried again by the next pipe.
      linking.catch(() => {
        if (this.#linked.get(link) === linking) this.#linked.delete(link);
      });
    }
    await linking;
    return link;
  }

  private async connectLink(peer: RemotePeer, link: Transport): Promise<void> {
    const engine = link.engine as ms.PipeTransport;
    const srtp = this.#node.pipe.srtp;
    const answer = await this.bus.request<LinkAnswer>(peer.node, 'link', {
      room: this.#room.id,
      peer: peer.name,
      from: this.#node.id,
      ip: this.#node.pipe.announcedIp ?? this.#node.pipe.ip,
      port: engine.tuple.localPort,
      srtp: engine.srtpParameters && { ...engine.srtpParameters },
    } satisfies LinkRequest);
    if (srtp !== (answer.srtp !== undefined))
      throw new SfuError(
        'INTERNAL',
        `node ${peer.node} answered with ${answer.srtp ? 'SRTP' : 'plain RTP'}: give every node the same cluster.pipeSrtp`,
      );
    await engine.connect({
      ip: answer.ip,
      port: answer.port,
      srtpParameters: answer.srtp && (checkSrtp(answer.srtp) as ms.SrtpParameters),
    });
  }

  private localPeer(name: string): Peer {
    const peer = this.#room.getPeerByName(name);
    if (!peer) throw new SfuError('NOT_FOUND', `no local peer ${name} in room ${this.#room.id}`);
    return peer;
  }
}

/**
 * A link carries its peer's data producers on an SCTP association (over the
 * same UDP path as its RTP; SCTP on a mediasoup pipe is not encrypted, the
 * RTP is when `pipeSrtp` is on). Its send buffer is the room's per-receiver
 * one (a slow far node must not lose reliable messages).
 */
const PIPE_SCTP = {
  enableSctp: true,
  numSctpStreams: { OS: 1024, MIS: 1024 },
  sctpSendBufferSize: 4 * 1024 * 1024,
} as const;

/** The SCTP stream another node answered, checked before it reaches the worker. */
function checkStream(stream: ConsumeDataAnswer): ms.SctpStreamParameters {
  const count = (v: unknown) =>
    v === undefined || (Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536);
  if (
    typeof stream !== 'object' ||
    !Number.isInteger(stream.streamId) ||
    stream.streamId < 0 ||
    stream.streamId > 65534 ||
    typeof stream.ordered !== 'boolean' ||
    !count(stream.maxPacketLifeTime) ||
    !count(stream.maxRetransmits)
  )
    throw new SfuError(
      'BAD_REQUEST',
      'consume-data: the SCTP stream of the other node is not valid',
    );
  return {
    streamId: stream.streamId,
    ordered: stream.ordered,
    maxPacketLifeTime: stream.maxPacketLifeTime,
    maxRetransmits: stream.maxRetransmits,
  };
}

/** The crypto suites mediasoup's pipes speak. */
const SRTP_SUITES = new Set([
  'AEAD_AES_256_GCM',
  'AEAD_AES_128_GCM',
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
]);

/** Another node's SRTP keys, checked before they reach the worker. */
function checkSrtp(srtp: PipeSrtp): PipeSrtp {
  if (
    typeof srtp !== 'object' ||
    !SRTP_SUITES.has(srtp.cryptoSuite) ||
    typeof srtp.keyBase64 !== 'string' ||
    srtp.keyBase64.length > 128 ||
    !/^[A-Za-z0-9+/]+={0,2}$/.test(srtp.keyBase64)
  )
    throw new SfuError('BAD_REQUEST', 'link: the SRTP parameters of the other node are not valid');
  return { cryptoSuite: srtp.cryptoSuite, keyBase64: srtp.keyBase64 };
}
