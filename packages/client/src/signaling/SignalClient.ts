import {
  type AppData,
  type ClientRequest,
  type DtlsParameters,
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  type IceParameters,
  iceCandidateFromMessage,
  iceParametersFromMessage,
  jsonFromMessage,
  mediaKind,
  optionalJsonToMessage,
  PROTOCOL_VERSION,
  ProtocolError,
  pb,
  profile,
  type RtpCapabilities,
  requiredRtpParametersFromMessage,
  rtpCapabilitiesFromMessage,
  rtpCapabilitiesToMessage,
  rtpParametersToMessage,
  type SctpStreamParameters,
  type ServerNotification,
  type ServerResponse,
  sctpParametersFromMessage,
  sctpStreamParametersFromMessage,
  sctpStreamParametersToMessage,
  transportDirection,
} from '@x/protocol';
import { logger } from '@x/shared';
import { InvalidStateError, TimeoutError } from '../room/errors.js';
import type { PreferredProfile } from '../room/profiles.js';
import type {
  ConsumerEnabled,
  CreateTransportParams,
  EnableConsumerParams,
  Joined,
  JoinParams,
  ProduceDataParams,
  ProduceParams,
  ResumedState,
  Signal,
  SignalCarrier,
  SignalListener,
  SignalOptions,
  StatsTarget,
  TransportCreated,
} from '../room/Signal.js';
import {
  iceServerFromMessage,
  peerFromMessage,
  requestErrorFromMessage,
  resumedStateFromMessage,
} from './convert.js';
import { dispatchNotification } from './notifications.js';

const log = logger('x:client:SignalClient');

/** Request id of the connector's resume request (the room's own requests count from 1). */
export const RESUME_REQUEST_ID = 0;
/** How long the connector waits for the answer to its resume request, in ms. */
export const RESUME_TIMEOUT_MS = 10_000;

type RequestName = NonNullable<pb.Request['body']>;
type RequestBody<K extends RequestName> = NonNullable<pb.Request.$Properties[K]>;
type Result<K extends RequestName> = NonNullable<pb.Response[K]>;

const ENABLE_STATS: Record<
  StatsTarget,
  (id: number, intervalMs: number) => pb.ClientNotification.$Properties
> = {
  transport: (id, intervalMs) => ({ enableTransportStats: { id, intervalMs } }),
  producer: (id, intervalMs) => ({ enableProducerStats: { id, intervalMs } }),
  consumer: (id, intervalMs) => ({ enableConsumerStats: { id, intervalMs } }),
};
const DISABLE_STATS: Record<StatsTarget, (id: number) => pb.ClientNotification.$Properties> = {
  transport: (id) => ({ disableTransportStats: { id } }),
  producer: (id) => ({ disableProducerStats: { id } }),
  consumer: (id) => ({ disableConsumerStats: { id } }),
};

/** How a joined client checks that its connection lives (the server's JoinResponse says). */
export interface Liveness {
  /** Send a ping this often, in ms. */
  intervalMs: number;
  /** Hearing nothing from the server for this long means the connection is dead, in ms. */
  timeoutMs: number;
}

/** What carries a signal's messages instead of the room's v2 events: a connection's socket. */
export type MessageCarrier = Pick<SignalCarrier, 'request' | 'notify' | 'probe'>;

/**
 * The whole wire of one room (like LiveKit's SignalClient): typed requests and
 * notifications in domain types out, the server's notifications dispatched to
 * the room's listener in domain types in. It numbers requests, times them out
 * (TimeoutError), turns server errors into RequestError, and does every
 * protobuf ↔ domain conversion; the room only carries the envelopes it makes.
 */
export class SignalClient implements Signal {
  readonly #carrier: SignalCarrier;
  #via: MessageCarrier | undefined;
  readonly #listener: SignalListener;
  readonly #batches = new PeerBatches();
  readonly #requestTimeout: number;
  #nextRequestId = 1;
  #liveness: Liveness | undefined;

  constructor(options: SignalOptions) {
    this.#carrier = options.carrier;
    this.#listener = options.listener;
    this.#requestTimeout = options.requestTimeout;
  }

  /**
   * Carries the messages by `via` (a connection), not by the room's v2
   * events, until called with undefined: what the app does with the room's
   * events then cannot cut the connection off.
   */
  carryBy(via: MessageCarrier | undefined): void {
    this.#via = via;
  }

  probeConnection(): void {
    (this.#via ?? this.#carrier).probe?.();
  }

  async queryRoom(token = ''): Promise<RtpCapabilities> {
    const result = await this.#request('queryRoom', { token });
    return rtpCapabilitiesFromMessage(result.rtpCapabilities ?? pb.RtpCapabilities.create());
  }

  async join(options: JoinParams): Promise<Joined> {
    const result = await this.#request('join', {
      protocolVersion: PROTOCOL_VERSION,
      peerName: options.peerName,
      rtpCapabilities: rtpCapabilitiesToMessage(options.rtpCapabilities),
      spy: options.spy,
      appData: optionalJsonToMessage(options.appData),
      token: options.token,
    });
    this.#liveness =
      result.pingIntervalMs > 0 && result.pingTimeoutMs > 0
        ? { intervalMs: result.pingIntervalMs, timeoutMs: result.pingTimeoutMs }
        : undefined;
    const peers = [...result.peers, ...(await this.#batches.take(result.morePeerBatches))];
    return {
      peers: peers.map(peerFromMessage),
      sessionId: result.sessionId,
      sessionGraceMs: result.sessionGraceMs,
      iceServers: result.iceServers.map(iceServerFromMessage),
      roomAppData: jsonFromMessage(result.roomAppData),
    };
  }

  /** @internal The pings the server answers, as its last join response announced them. */
  get liveness(): Liveness | undefined {
    return this.#liveness;
  }

  async createTransport(options: CreateTransportParams): Promise<TransportCreated> {
    const result = await this.#request('createTransport', {
      id: options.id,
      direction: transportDirection.toMessage(options.direction, 'direction'),
      options: options.options,
      appData: optionalJsonToMessage(options.appData),
      sctpCapabilities: options.sctpStreams
        ? { numStreams: { os: options.sctpStreams.OS, mis: options.sctpStreams.MIS } }
        : undefined,
    });
    return {
      iceParameters: iceParametersFromMessage(result.iceParameters),
      iceCandidates: result.iceCandidates.map((c, i) =>
        iceCandidateFromMessage(c, `iceCandidates[${i}]`),
      ),
      dtlsParameters: dtlsParametersFromMessage(result.dtlsParameters),
      sctpParameters: result.sctpParameters
        ? sctpParametersFromMessage(result.sctpParameters)
        : undefined,
    };
  }

  async connectTransport(transportId: number, dtlsParameters: DtlsParameters): Promise<void> {
    await this.#request('connectTransport', {
      transportId,
      dtlsParameters: dtlsParametersToMessage(dtlsParameters),
    });
  }

  async restartIce(transportId: number): Promise<IceParameters> {
    const result = await this.#request('restartIce', { transportId });
    return iceParametersFromMessage(result.iceParameters);
  }

  async produce(options: ProduceParams): Promise<void> {
    await this.#request('createProducer', {
      id: options.id,
      kind: mediaKind.toMessage(options.kind, 'kind'),
      transportId: options.transportId,
      rtpParameters: rtpParametersToMessage(options.rtpParameters),
      paused: options.paused,
      appData: optionalJsonToMessage(options.appData),
    });
  }

  async enableConsumer(options: EnableConsumerParams): Promise<ConsumerEnabled> {
    const result = await this.#request('enableConsumer', {
      id: options.id,
      transportId: options.transportId,
      paused: options.paused,
      preferredProfile: profile.toMessage(options.preferredProfile, 'preferredProfile'),
    });
    return {
      rtpParameters: requiredRtpParametersFromMessage(result.rtpParameters, 'rtpParameters'),
      paused: result.paused,
      effectiveProfile: result.effectiveProfile
        ? profile.fromMessage(result.effectiveProfile, 'effectiveProfile')
        : undefined,
    };
  }

  async startConsumer(id: number): Promise<void> {
    await this.#request('startConsumer', { id });
  }

  async produceData(options: ProduceDataParams): Promise<void> {
    await this.#request('createDataProducer', {
      id: options.id,
      transportId: options.transportId,
      sctpStreamParameters: sctpStreamParametersToMessage(options.sctpStreamParameters),
      label: options.label,
      protocol: options.protocol,
      appData: optionalJsonToMessage(options.appData),
    });
  }

  async enableDataConsumer(id: number, transportId: number): Promise<SctpStreamParameters> {
    const result = await this.#request('enableDataConsumer', { id, transportId });
    return sctpStreamParametersFromMessage(result.sctpStreamParameters, 'sctpStreamParameters');
  }

  closeDataProducer(id: number, appData: AppData | undefined): void {
    this.#notify({ closeDataProducer: { id, appData: optionalJsonToMessage(appData) } });
  }

  leave(appData: AppData | undefined): void {
    this.#notify({ leave: { appData: optionalJsonToMessage(appData) } });
  }

  closeTransport(id: number, appData: AppData | undefined): void {
    this.#notify({ closeTransport: { id, appData: optionalJsonToMessage(appData) } });
  }

  pauseProducer(id: number, appData: AppData | undefined): void {
    this.#notify({ pauseProducer: { id, appData: optionalJsonToMessage(appData) } });
  }

  resumeProducer(id: number, appData: AppData | undefined): void {
    this.#notify({ resumeProducer: { id, appData: optionalJsonToMessage(appData) } });
  }

  closeProducer(id: number, appData: AppData | undefined): void {
    this.#notify({ closeProducer: { id, appData: optionalJsonToMessage(appData) } });
  }

  pauseConsumer(id: number, appData: AppData | undefined): void {
    this.#notify({ pauseConsumer: { id, appData: optionalJsonToMessage(appData) } });
  }

  resumeConsumer(id: number, appData: AppData | undefined): void {
    this.#notify({ resumeConsumer: { id, appData: optionalJsonToMessage(appData) } });
  }

  setConsumerPreferredProfile(id: number, preferred: PreferredProfile): void {
    this.#notify({
      setConsumerPreferredProfile: { id, profile: profile.toMessage(preferred, 'profile') },
    });
  }

  enableStats(target: StatsTarget, id: number, intervalMs: number): void {
    this.#notify(ENABLE_STATS[target](id, intervalMs));
  }

  disableStats(target: StatsTarget, id: number): void {
    this.#notify(DISABLE_STATS[target](id));
  }

  setActiveSpeaker(on: boolean): void {
    this.#notify(on ? { enableActiveSpeaker: {} } : { disableActiveSpeaker: {} });
  }

  setAudioLevels(intervalMs: number | undefined): void {
    this.#notify(
      intervalMs === undefined ? { disableAudioLevels: {} } : { enableAudioLevels: { intervalMs } },
    );
  }

  receive(notification: ServerNotification): void {
    // The rest of a join's or resume's peers: for the request waiting for them, not for the room.
    if (notification.body === 'peerBatch') this.#batches.put(notification.peerBatch!.peers);
    else dispatchNotification(notification, this.#listener);
  }

  /**
   * Resumes the session on a new connection: the connector's own request
   * (id {@link RESUME_REQUEST_ID}), which `send` writes on the new socket at
   * once, ahead of what waits for it. Resolves with the room as the server has
   * it; rejects with RequestError (`SESSION_EXPIRED` once the grace period is
   * over) or TimeoutError.
   */
  resume(
    sessionId: string,
    send: (request: ClientRequest, callback: (response: ServerResponse) => void) => void,
    timeoutMs = RESUME_TIMEOUT_MS,
  ): Promise<ResumedState> {
    const request = pb.Request.create({
      id: RESUME_REQUEST_ID,
      resumeSession: { protocolVersion: PROTOCOL_VERSION, sessionId },
    });
    return new Promise<ServerResponse>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new TimeoutError(`no answer to resumeSession within ${timeoutMs} ms`)),
        timeoutMs,
      );
      send(request, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    }).then(async (response) => {
      const resumed = result(response, 'resumeSession');
      const more = await this.#batches.take(resumed.morePeerBatches, timeoutMs);
      return resumedStateFromMessage({
        ...resumed,
        peers: [...resumed.peers, ...more],
      } as pb.ResumeSessionResponse);
    });
  }

  #request<K extends RequestName>(name: K, body: RequestBody<K>): Promise<Result<K>> {
    if (!this.#carrier.canRequest())
      return Promise.reject(new InvalidStateError(`${name}: the room is closed`));
    const request = pb.Request.create({ id: this.#nextRequestId++, [name]: body });
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error: Error | undefined, response?: ServerResponse) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error) reject(error);
        else {
          try {
            resolve(result(response!, name));
          } catch (e) {
            reject(e);
          }
        }
      };
      const timer = setTimeout(
        () => finish(new TimeoutError(`no response to ${name} within ${this.#requestTimeout} ms`)),
        this.#requestTimeout,
      );
      const carried = (this.#via ?? this.#carrier).request(
        request,
        (response) => finish(undefined, response),
        (error) => finish(error),
      );
      if (!carried) log.warn('request %s has no listener: connect the room to a server', name);
    });
  }

  #notify(body: pb.ClientNotification.$Properties): void {
    if (!this.#carrier.canNotify()) return;
    (this.#via ?? this.#carrier).notify(pb.ClientNotification.create(body));
  }
}

/** The result of a response: RequestError when the server refused, ProtocolError when it is missing. */
function result<K extends RequestName>(response: ServerResponse, name: K): Result<K> {
  if (response.error) throw requestErrorFromMessage(response.error);
  const value = response[name];
  if (value == null)
    throw new ProtocolError('INVALID_FIELD', `the response to ${name} carries no ${name} result`, {
      field: name,
    });
  return value as Result<K>;
}

/**
 * The PeerBatchNotification that follow a join or resume response whose
 * peers did not fit in one frame: they arrive right after it, in order; the
 * request waits for as many as the response announced.
 */
class PeerBatches {
  readonly #arrived: pb.PeerInfo[][] = [];
  #waiter: (() => void) | undefined;

  put(peers: pb.PeerInfo[]): void {
    this.#arrived.push(peers);
    this.#waiter?.();
  }

  /** The peers of the next `count` batches; rejects with TimeoutError if they do not all come. */
  async take(count: number, timeoutMs = 30_000): Promise<pb.PeerInfo[]> {
    const peers: pb.PeerInfo[] = [];
    const deadline = Date.now() + timeoutMs;
    for (let taken = 0; taken < count; taken++) {
      while (this.#arrived.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new TimeoutError(`${count - taken} peer batches did not arrive`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          this.#waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#waiter = undefined;
      }
      peers.push(...this.#arrived.shift()!);
    }
    return peers;
  }
}
