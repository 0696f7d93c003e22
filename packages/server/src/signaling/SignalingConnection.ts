import {
  decodeClientMessage,
  encodeServerMessage,
  jsonFromMessage,
  ProtocolError,
  pb,
  type ServerMessageInit,
} from '@x/protocol';
import { logger } from '@x/shared';
import { SfuError, toSfuError } from '../util/errors.js';
import { TokenBucket } from '../util/TokenBucket.js';
import { errorToMessage, rejection } from './errors.js';
import { PeerSignaling } from './PeerSignaling.js';
import { assertProtocolVersion, joinRoom, resumeView } from './RoomRequests.js';
import type { SignalingServer } from './SignalingServer.js';
import { SignalingSession } from './SignalingSession.js';
import { queryRoomView } from './views.js';

const log = logger('x:server:SignalingConnection');

/** Malformed or rate-limited messages a connection may send before it is closed. */
const MAX_VIOLATIONS = 100;

/** Where a connection's frames go: a WebSocket, or any transport of the app's. */
export interface ConnectionSink {
  /** Sends one binary frame to the client. */
  send(frame: Uint8Array): void;
  /** Closes the transport with a code (WebSocket codes: 4000+ are ours) and a reason. */
  close(code: number, reason: string): void;
  /** Cuts the transport at once, without a closing handshake (as a network failure would). */
  terminate?(): void;
}

/** What the server knows of a connection before the client speaks: for room selection and logs. */
export interface ConnectionInfo {
  /** The URL the client connected to. */
  url?: URL;
  /** Request headers. */
  headers?: Record<string, string | string[] | undefined>;
  /** The client's address. */
  remoteAddress?: string;
}

/**
 * One signaling connection of a client: decodes its frames, checks its rate,
 * routes requests before join to the room and after join to its peer's
 * session, and encodes what goes back. Created by `SignalingServer.connect()`.
 */
export class SignalingConnection {
  /** What is known of the connection. */
  readonly info: ConnectionInfo;

  #closed = false;
  #session: SignalingSession | undefined;
  #joining = false;
  #violations = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #sink: ConnectionSink;
  readonly #signaling: SignalingServer;
  readonly #bucket: TokenBucket;

  /** @internal Created by {@link SignalingServer.connect}. */
  constructor(signaling: SignalingServer, sink: ConnectionSink, info: ConnectionInfo) {
    this.#signaling = signaling;
    this.#sink = sink;
    this.info = info;
    const rate = signaling.server.limits.messagesPerSecond;
    this.#bucket = new TokenBucket(rate, rate * 2);
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
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
    let message: pb.ClientMessage;
    try {
      message = decodeClientMessage(frame, {
        maxFrameSize: this.#signaling.server.limits.maxFrameSize,
      });
    } catch (error) {
      const e =
        error instanceof ProtocolError
          ? error
          : new ProtocolError('MALFORMED_FRAME', String(error));
      const code = e.code === 'FRAME_TOO_LARGE' ? 'LIMIT_EXCEEDED' : 'BAD_REQUEST';
      const sfuError = new SfuError(code, `${e.code}: ${e.message}`, { field: e.field });
      if (e.requestId !== undefined)
        this.send({ response: { id: e.requestId, error: errorToMessage(sfuError) } });
      else this.send({ notification: rejection(undefined, 0, sfuError) });
      this.violation(`bad frame (${e.code})`);
      return;
    }
    if (!this.#bucket.take()) {
      const error = new SfuError('RATE_LIMITED', 'too many messages: slow down');
      if (message.request)
        this.send({ response: { id: message.request.id, error: errorToMessage(error) } });
      else this.send({ notification: rejection(message.notification?.body, 0, error) });
      this.violation('rate limited');
      return;
    }
    this.#queue = this.#queue
      .then(() => this.handle(message))
      .catch((error: unknown) => {
        log.error('message handling failed: %o', error);
      });
  }

  /**
   * The transport closed. A clean close (WebSocket 1000 or 1001: the client
   * left, or its tab closed) ends the peer at once; any other loss keeps it
   * for the grace period, for the client to resume.
   */
  transportClosed(code?: number): void {
    if (this.#closed) return;
    this.#closed = true;
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
    else this.#sink.close(4003, 'dropped');
    this.transportClosed();
  }

  /** Closes the transport from the server side. */
  end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    // Let what was queued for sending go out first.
    setImmediate(() => this.#sink.close(code, reason));
    this.#signaling.connectionClosed(this);
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

  private violation(what: string): void {
    this.#violations++;
    if (this.#violations < MAX_VIOLATIONS) return;
    log.warn('closing a connection after %d violations (last: %s)', this.#violations, what);
    const peer = this.#session?.peer;
    this.end(4002, `protocol violation: ${what}`);
    peer?.close(undefined, 'protocol_violation', `too many bad messages (${what})`);
  }

  private async handle(message: pb.ClientMessage): Promise<void> {
    if (this.#closed) return;
    if (message.request) {
      const request = message.request;
      const response = this.#session
        ? await this.#session.handleRequest(request)
        : await this.beforeJoin(request);
      this.send({ response });
      return;
    }
    const notification = message.notification!;
    if (this.#session) {
      PeerSignaling.of(this.#session.peer).receiveNotification(notification);
    } else {
      const error = new SfuError('NOT_JOINED', 'join the room before sending notifications');
      this.send({ notification: rejection(notification.body, 0, error) });
    }
  }

  private async beforeJoin(request: pb.Request): Promise<pb.Response> {
    try {
      switch (request.body) {
        case 'queryRoom': {
          const room = await this.#signaling.selectRoom({ connection: this.info });
          return pb.Response.create({ id: request.id, queryRoom: queryRoomView(room) });
        }
        case 'join':
          return await this.join(request);
        case 'resumeSession':
          return pb.Response.create({
            id: request.id,
            resumeSession: this.resume(request.resumeSession!),
          });
        default:
          throw new SfuError(
            'NOT_JOINED',
            `join the room before sending ${request.body ?? 'this request'}`,
          );
      }
    } catch (error) {
      const e = toSfuError(error);
      if (e.code === 'INTERNAL') log.error('%s failed: %o', request.body, error);
      return pb.Response.create({ id: request.id, error: errorToMessage(e) });
    }
  }

  private async join(request: pb.Request): Promise<pb.Response> {
    if (this.#joining)
      throw new SfuError('INVALID_STATE', 'a join is already under way on this connection');
    this.#joining = true;
    try {
      const req = request.join!;
      // Checked first: an old client gets this error rather than another, and no room is created for it.
      assertProtocolVersion(req.protocolVersion);
      const auth = await this.#signaling.authenticate({
        token: req.token,
        peerName: req.peerName,
        connection: this.info,
      });
      const selected = await this.#signaling.selectRoom({
        connection: this.info,
        peerName: req.peerName,
        token: req.token,
        claims: auth?.claims,
        appData: jsonFromMessage(req.appData),
      });
      if (auth?.room !== undefined && auth.room !== selected.id) {
        throw new SfuError(
          'FORBIDDEN',
          `the token is for room "${auth.room}", not "${selected.id}"`,
        );
      }
      const sessionId = SignalingSession.newId();
      const { peer, response } = joinRoom(selected, req, {
        permissions: auth?.permissions,
        sessionId,
        sessionGraceMs: this.#signaling.sessionGraceMs,
      });
      if (this.#closed) {
        peer.closeWith('remote');
      } else {
        this.#session = this.#signaling.addSession(
          new SignalingSession({
            id: sessionId,
            peer,
            connection: this,
            graceMs: this.#signaling.sessionGraceMs,
            onEnd: (s) => this.#signaling.removeSession(s),
          }),
        );
      }
      return pb.Response.create({ id: request.id, join: response });
    } finally {
      this.#joining = false;
    }
  }

  private resume(req: pb.ResumeSessionRequest): pb.ResumeSessionResponse.$Properties {
    assertProtocolVersion(req.protocolVersion);
    const session = this.#signaling.getSession(req.sessionId);
    if (!session || session.peer.closed) {
      throw new SfuError(
        'SESSION_EXPIRED',
        'the session is unknown or expired: join the room again',
      );
    }
    this.#session = session;
    session.attach(this);
    return resumeView(session.peer);
  }
}
