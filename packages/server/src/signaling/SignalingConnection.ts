import {
  decodeClientMessage,
  encodeServerMessage,
  errorCodeName,
  ProtocolError,
  type pb,
  type RtpCapabilities,
  type ServerMessageInit,
} from '@x/protocol';
import { CLOSE, CLOSE_CODES, logger } from '@x/shared';
import type { Room } from '../media/Room.js';
import { SfuError, toSfuError } from '../util/errors.js';
import type { Limits } from '../util/limits.js';
import { TokenBucket } from '../util/TokenBucket.js';
import { appDataFrom } from './appData.js';
import type { Authorization } from './auth.js';
import { peerBatches } from './batches.js';
import type { ConnectionInfo, ConnectionSink } from './ConnectionSink.js';
import { errorToMessage, rejection } from './errors.js';
import { handlePeerNotification } from './PeerNotifications.js';
import { handlePeerRequest } from './PeerRequests.js';
import { PeerSignaling } from './PeerSignaling.js';
import { assertProtocolVersion, joinRoom, type PingSettings, resumeView } from './RoomRequests.js';
import type { RoomRequest } from './roomSelection.js';
import { SignalingSession } from './SignalingSession.js';
import type { IceServer } from './turn.js';
import { rtpCapabilitiesView } from './views.js';

const log = logger('x:server:SignalingConnection');

/** Malformed or rate-limited messages a joined client may send before it is closed. */
const MAX_VIOLATIONS = 100;
/** A client that has not joined gets less rope: a real client never sends a bad frame. */
const MAX_VIOLATIONS_BEFORE_JOIN = 5;
/** Answers remembered per session for clients that send a request again after a resume. */
const RESPONSE_MEMORY = 64;

export { CLOSE_CODES } from '@x/shared';

export type { ConnectionInfo, ConnectionSink } from './ConnectionSink.js';

/** @internal What a connection needs of its signaling server. */
export interface ConnectionHost {
  /** The server's limits. */
  readonly limits: Limits;
  /** Grace period of a lost connection, in ms. */
  readonly sessionGraceMs: number;
  /** The liveness pings its clients send (see SignalingOptions.ping). */
  readonly ping: PingSettings | undefined;
  /** Checks a client's token when the server requires one (peer name: for a join). */
  authenticate(token: string, peerName?: string): Promise<Authorization | undefined>;
  /** The capabilities of the room a client queries. */
  queryRoom(request: RoomRequest): Promise<RtpCapabilities>;
  /** The room an authorized client joins. */
  joinRoom(request: RoomRequest): Promise<Room>;
  /** TURN servers with fresh credentials for a peer that joins or resumes. */
  iceServers(): IceServer[];
  addSession(session: SignalingSession): SignalingSession;
  removeSession(session: SignalingSession): void;
  getSession(id: string): SignalingSession | undefined;
  connectionClosed(connection: SignalingConnection, closing?: Promise<void>): void;
  /** A request was answered: for the metrics (method, error code or 'OK', time taken). */
  requestAnswered(method: string, code: string, durationMs: number): void;
}

/**
 * One signaling connection of a client: decodes its frames, checks their
 * size and rate, gives a stranger a deadline and a narrow door (queryRoom,
 * join, resume), routes a joined peer's messages to its session, and encodes
 * what goes back. Created by `SignalingServer.connect()`.
 */
export class SignalingConnection {
  /** What is known of the connection. */
  readonly info: ConnectionInfo;

  #closed = false;
  #session: SignalingSession | undefined;
  #joining = false;
  #violations = 0;
  // Liveness: when the client last sent anything, and whether it pings.
  #heardAt = Date.now();
  #pings = false;
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #sink: ConnectionSink;
  readonly #signaling: ConnectionHost;
  readonly #bucket: TokenBucket;
  #joinTimer: NodeJS.Timeout | undefined;

  /** @internal Created by {@link SignalingServer.connect}. */
  constructor(signaling: ConnectionHost, sink: ConnectionSink, info: ConnectionInfo) {
    this.#signaling = signaling;
    this.#sink = sink;
    this.info = info;
    const limits = signaling.limits;
    this.#bucket = new TokenBucket(limits.messagesPerSecond, limits.messagesPerSecond * 2);
    sink.setMaxMessageSize?.(limits.preJoinMaxFrameSize);
    this.#joinTimer = setTimeout(
      () =>
        this.end(CLOSE_CODES.joinTimeout, `no join or resume within ${limits.joinTimeoutMs} ms`),
      limits.joinTimeoutMs,
    );
    this.#joinTimer.unref();
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * @internal A client that pings (its join response told it to) and has
   * sent nothing for `silenceMs`: its path is dead.
   */
  silentFor(silenceMs: number, now: number): boolean {
    return this.#pings && now - this.#heardAt > silenceMs;
  }

  /** The session of the peer that joined (or resumed) on this connection. */
  get session(): SignalingSession | undefined {
    return this.#session;
  }

  /**
   * Takes one frame from the client. Messages are handled one at a time, in
   * order. A bad frame is answered (an error response, or a
   * `notificationRejected` when it has no request id); too many close the
   * connection.
   */
  receive(frame: Uint8Array | ArrayBuffer): void {
    if (this.#closed) return;
    this.#heardAt = Date.now();
    const limits = this.#signaling.limits;
    let message: pb.ClientMessage;
    try {
      message = decodeClientMessage(frame, {
        maxFrameSize: this.#session ? limits.maxFrameSize : limits.preJoinMaxFrameSize,
      });
    } catch (error) {
      const e =
        error instanceof ProtocolError
          ? error
          : new ProtocolError('MALFORMED_FRAME', String(error));
      const code = e.code === 'FRAME_TOO_LARGE' ? 'LIMIT_EXCEEDED' : 'BAD_REQUEST';
      this.refuse(
        e.requestId,
        undefined,
        new SfuError(code, `${e.code}: ${e.message}`, { field: e.field }),
      );
      this.violation(`bad frame (${e.code})`);
      return;
    }
    const requestId = message.request?.id;
    const body = message.notification?.body;
    if (body === 'ping' && this.#session) this.#pings = true;
    if (!this.#bucket.take()) {
      this.refuse(requestId, body, new SfuError('RATE_LIMITED', 'too many messages: slow down'));
      this.violation('rate limited');
      return;
    }
    if (this.#pending >= limits.maxPendingMessages) {
      this.refuse(
        requestId,
        body,
        new SfuError(
          'RATE_LIMITED',
          `${limits.maxPendingMessages} messages are still being handled: wait for their answers`,
        ),
      );
      this.violation('too many pending messages');
      return;
    }
    this.#pending++;
    this.#queue = this.#queue
      .then(() => this.handle(message))
      .catch((error: unknown) => log.error('message handling failed: %o', error))
      .finally(() => this.#pending--);
  }

  /**
   * The transport closed. A clean close (WebSocket 1000 or 1001: the client
   * left, or its tab closed) ends the peer at once; any other loss keeps it
   * for the grace period, for the client to resume.
   */
  transportClosed(code?: number): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#joinTimer);
    const session = this.#session;
    if (session && (code === 1000 || code === 1001)) session.peer.closeWith('remote');
    else session?.detach(this);
    this.#signaling.connectionClosed(this);
  }

  /**
   * Cuts the transport abruptly, as a network failure would: a joined peer
   * is kept for its grace period and the client can resume.
   */
  drop(): void {
    if (this.#closed) return;
    if (this.#sink.terminate) this.#sink.terminate();
    else this.#sink.close(CLOSE.dropped.code, CLOSE.dropped.reason);
    this.transportClosed();
  }

  /**
   * @internal The client does not read what it is sent: the connection is
   * cut (its peer keeps the grace period, and the client resumes) rather
   * than the server buffering for it without end.
   */
  slowConsumer(queuedBytes: number): void {
    if (this.#closed) return;
    log.warn(
      'cutting %s: %d bytes queued that it does not read',
      this.#session?.peer.name ?? this.info.remoteAddress ?? 'a client',
      queuedBytes,
    );
    this.#sink.close(CLOSE.slowConsumer.code, CLOSE.slowConsumer.reason);
    this.#sink.terminate?.();
    this.transportClosed();
  }

  /** Closes the transport from the server side. */
  end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#joinTimer);
    // Let what was queued for sending go out first. The server keeps the
    // promise of the closing frame sent: a draining node waits for it, or
    // the redirect it carries dies with the process.
    const sent = new Promise<void>((resolve) =>
      setImmediate(() => {
        Promise.resolve(this.#sink.close(code, reason)).then(resolve, resolve);
      }),
    );
    this.#signaling.connectionClosed(this, sent);
  }

  /** @internal Sends a message to the client. */
  send(message: ServerMessageInit): void {
    if (this.#closed) return;
    try {
      this.#sink.send(encodeServerMessage(message));
    } catch (error) {
      log.error('could not send a message: %o', error);
      const id = (message as pb.ServerMessage.$Properties).response?.id;
      if (id !== undefined) {
        this.#sink.send(
          encodeServerMessage({
            response: {
              id,
              error: errorToMessage(
                new SfuError(
                  'INTERNAL',
                  `the response could not be sent: ${(error as Error).message}`,
                ),
              ),
            },
          }),
        );
      }
    }
  }

  private refuse(requestId: number | undefined, body: string | undefined, error: SfuError): void {
    if (requestId !== undefined)
      this.send({ response: { id: requestId, error: errorToMessage(error) } });
    else this.send({ notification: rejection(body, 0, error) });
  }

  private violation(what: string): void {
    this.#violations++;
    if (this.#violations < (this.#session ? MAX_VIOLATIONS : MAX_VIOLATIONS_BEFORE_JOIN)) return;
    log.warn('closing a connection after %d violations (last: %s)', this.#violations, what);
    const peer = this.#session?.peer;
    this.end(CLOSE_CODES.protocolViolation, `${CLOSE.protocolViolation.reason}: ${what}`);
    peer?.close(undefined, 'protocol_violation', `too many bad messages (${what})`);
  }

  private async handle(message: pb.ClientMessage): Promise<void> {
    if (this.#closed) return;
    if (message.request) {
      const request = message.request;
      const started = performance.now();
      let code: string;
      if (this.#session) {
        const response = await this.answer(this.#session, request);
        code = response.error ? errorCodeName(response.error.code) : 'OK';
        this.send({ response });
      } else {
        code = await this.beforeJoin(request);
      }
      this.#signaling.requestAnswered(request.body ?? 'unknown', code, performance.now() - started);
      return;
    }
    const notification = message.notification!;
    if (this.#session) {
      handlePeerNotification(this.#session.signaling, notification);
    } else {
      const error = new SfuError('NOT_JOINED', 'join the room before sending notifications');
      this.send({ notification: rejection(notification.body, 0, error) });
      this.violation('notification before join');
    }
  }

  /** A joined peer's request: handled by its peer, or answered again from memory after a resume. */
  private async answer(session: SignalingSession, request: pb.Request): Promise<pb.Response> {
    const memory = session.responses;
    const remembered = memory.get(request.id);
    if (remembered) return remembered;
    const response = await handlePeerRequest(session.signaling, request);
    memory.set(request.id, response);
    if (memory.size > RESPONSE_MEMORY) memory.delete(memory.keys().next().value!);
    return response;
  }

  /** A stranger may query the room, join it, or resume a session; nothing else. Returns 'OK' or the error code answered. */
  private async beforeJoin(request: pb.Request): Promise<string> {
    try {
      switch (request.body) {
        case 'queryRoom':
          this.send({
            response: { id: request.id, queryRoom: await this.queryRoom(request.queryRoom!) },
          });
          return 'OK';
        case 'join':
          await this.join(request);
          return 'OK';
        case 'resumeSession':
          this.resume(request);
          return 'OK';
        default:
          this.violation('request before join');
          throw new SfuError(
            'NOT_JOINED',
            `join the room before sending ${request.body ?? 'this request'}`,
          );
      }
    } catch (error) {
      const e = toSfuError(error);
      if (e.code === 'INTERNAL') log.error('%s failed: %o', request.body, error);
      this.send({ response: { id: request.id, error: errorToMessage(e, this.info.url) } });
      return e.code;
    }
  }

  private async queryRoom(req: pb.QueryRoomRequest): Promise<pb.QueryRoomResponse.$Properties> {
    const auth = await this.#signaling.authenticate(req.token);
    const capabilities = await this.#signaling.queryRoom({
      purpose: 'query',
      connection: this.info,
      token: req.token,
      claims: auth?.claims,
    });
    return rtpCapabilitiesView(capabilities);
  }

  private async join(request: pb.Request): Promise<void> {
    if (this.#joining)
      throw new SfuError('INVALID_STATE', 'a join is already under way on this connection');
    this.#joining = true;
    try {
      const req = request.join!;
      // In this order, so that nothing is created for a client refused at any step.
      assertProtocolVersion(req.protocolVersion);
      const auth = await this.#signaling.authenticate(req.token, req.peerName);
      const room = await this.#signaling.joinRoom({
        purpose: 'join',
        connection: this.info,
        peerName: req.peerName,
        token: req.token,
        claims: auth?.claims,
        appData: appDataFrom(req.appData, 'appData', this.#signaling.limits.maxAppDataSize),
      });
      if (this.#closed) return;
      const sessionId = SignalingSession.newId();
      let signaling: PeerSignaling | undefined;
      const { peer, response } = await joinRoom(room, req, {
        permissions: auth?.permissions,
        sessionId,
        sessionGraceMs: this.#signaling.sessionGraceMs,
        iceServers: this.#signaling.iceServers(),
        ping: this.#signaling.ping,
        link: (p) => {
          signaling = new PeerSignaling(p, room);
          return signaling;
        },
      });
      let frames: Uint8Array[];
      try {
        const [first = [], ...more] = peerBatches(response.peers ?? []);
        frames = [
          encodeServerMessage({
            response: {
              id: request.id,
              join: { ...response, peers: first, morePeerBatches: more.length },
            },
          }),
          ...more.map((peers) => encodeServerMessage({ notification: { peerBatch: { peers } } })),
        ];
      } catch (error) {
        // Nothing is left of a join that cannot be answered: the name is free again at once.
        peer.closeWith('remote');
        throw error;
      }
      signaling!.connectionUrl = this.info.url;
      signaling!.protocolVersion = req.protocolVersion;
      this.#session = this.#signaling.addSession(
        new SignalingSession({
          id: sessionId,
          signaling: signaling!,
          connection: this,
          graceMs: this.#signaling.sessionGraceMs,
          onEnd: (s) => this.#signaling.removeSession(s),
        }),
      );
      this.joined();
      for (const frame of frames) this.#sink.send(frame);
      // Told at once if the room is being recorded (later changes come as they happen).
      const recording = room.recording;
      if (recording.active)
        signaling!.send({
          recording: { active: recording.active, peerNames: recording.peerNames },
        });
    } finally {
      this.#joining = false;
    }
  }

  private resume(request: pb.Request): void {
    const req = request.resumeSession!;
    assertProtocolVersion(req.protocolVersion);
    const session = this.#signaling.getSession(req.sessionId);
    if (!session || session.peer.closed) {
      throw new SfuError(
        'SESSION_EXPIRED',
        'the session is unknown or expired: join the room again',
      );
    }
    const view = resumeView(session.peer, session.room, this.#signaling.iceServers());
    const [first = [], ...more] = peerBatches(view.peers ?? []);
    this.#session = session;
    session.attach(this);
    session.signaling.connectionUrl = this.info.url;
    session.signaling.protocolVersion = req.protocolVersion;
    this.joined();
    this.send({
      response: {
        id: request.id,
        resumeSession: { ...view, peers: first, morePeerBatches: more.length },
      },
    });
    for (const peers of more) this.send({ notification: { peerBatch: { peers } } });
  }

  /**
   * A peer lives on this connection now: its deadline is met, and its frames
   * may be larger. The transport takes up to twice the frame limit, so that a
   * frame somewhat too large gets a LIMIT_EXCEEDED answer rather than a cut.
   */
  private joined(): void {
    clearTimeout(this.#joinTimer);
    this.#sink.setMaxMessageSize?.(2 * this.#signaling.limits.maxFrameSize);
  }
}
