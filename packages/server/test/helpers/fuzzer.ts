// A protocol fuzzer for a running server over real WebSockets. It sends
// messages in batches, each batch followed by a ping request: the server
// handles a connection's messages in order, so every answer to the batch
// arrives before the ping's response, and each message can be checked to
// have been answered (or the connection closed with a reason).
import {
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  jsonToMessage,
  PROTOCOL_VERSION,
  type ProtocolError,
  type pb,
  type RtpCapabilities,
  rtpCapabilitiesToMessage,
} from '@x/protocol';
import WebSocket from 'ws';
import { audioParameters, message } from './fixtures.js';

/** What the fuzzer expects for one frame. */
export type Expect =
  | { kind: 'response'; id: number } // a response to this id, ok or error
  | { kind: 'error'; id: number } // an error response to this id
  | { kind: 'rejection' } // a notificationRejected
  | { kind: 'close' }; // the socket closes (a frame ws itself refuses)

export interface Frame {
  category: string;
  bytes: Uint8Array;
  expect: Expect;
}

export interface Tally {
  sent: Record<string, number>;
  answered: Record<string, number>;
  closed: Record<string, number>;
  unanswered: Record<string, number>;
  reconnections: number;
  closeReasons: Record<string, number>;
}

const PING_BASE = 3_000_000_000;

/** Sends batches over one connection and checks their answers. */
export class FuzzConnection {
  private socket!: WebSocket;
  private waiting: (() => void) | undefined;
  private responses = new Map<number, pb.Response[]>();
  private rejections = 0;
  private closeInfo: { code: number; reason: string } | undefined;
  private pingId = PING_BASE;

  constructor(private readonly url: string) {}

  get closed(): { code: number; reason: string } | undefined {
    return this.closeInfo;
  }

  async open(): Promise<void> {
    this.socket = new WebSocket(this.url);
    this.responses = new Map();
    this.rejections = 0;
    this.closeInfo = undefined;
    this.socket.on('message', (data: Buffer) => {
      const m = decodeServerMessage(data);
      if (m.response) {
        const list = this.responses.get(m.response.id) ?? [];
        list.push(m.response);
        this.responses.set(m.response.id, list);
      } else if (m.notification?.notificationRejected) {
        this.rejections++;
      }
      this.waiting?.();
    });
    this.socket.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.waiting?.();
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  async request(body: Omit<pb.Request.$Properties, 'id'>, id: number): Promise<pb.Response> {
    this.socket.send(encodeClientMessage({ request: { id, ...body } }));
    await this.until(() => this.responses.has(id) || this.closeInfo !== undefined);
    const r = this.responses.get(id)?.[0];
    this.responses.delete(id);
    if (!r)
      throw new Error(
        `connection closed before answering request ${id}: ${JSON.stringify(this.closeInfo)}`,
      );
    return r;
  }

  /**
   * Sends the frames, then a ping; returns, per frame, whether it was
   * answered or cut off by the connection closing.
   */
  async batch(frames: Frame[]): Promise<('answered' | 'closed' | 'unanswered')[]> {
    this.rejections = 0;
    for (const frame of frames) {
      if (this.closeInfo) break;
      this.socket.send(frame.bytes);
    }
    const ping = this.pingId++;
    if (!this.closeInfo)
      this.socket.send(encodeClientMessage({ request: { id: ping, queryRoom: {} } }));
    await this.until(() => this.responses.has(ping) || this.closeInfo !== undefined, 20_000);
    const closed = !this.responses.has(ping);
    this.responses.delete(ping);
    let rejections = this.rejections;
    return frames.map((frame) => {
      const e = frame.expect;
      if (e.kind === 'rejection') {
        if (rejections > 0) {
          rejections--;
          return 'answered';
        }
      } else if (e.kind === 'response' || e.kind === 'error') {
        const list = this.responses.get(e.id);
        const r = list?.shift();
        if (list?.length === 0) this.responses.delete(e.id);
        if (r && (e.kind === 'response' || r.error)) return 'answered';
      } else if (e.kind === 'close' && this.closeInfo) {
        return 'closed';
      }
      return closed ? 'closed' : 'unanswered';
    });
  }

  close(): void {
    this.socket.close();
  }

  private until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error('the server did not answer in time'));
      }, timeoutMs);
      this.waiting = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiting = undefined;
        resolve();
      };
    });
  }
}

/** A small deterministic PRNG, so that a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

/** The frames the fuzzer sends, by category. */
export class FrameFactory {
  private nextId = 1;
  private nextProducer = 1;

  constructor(
    private readonly rand: () => number,
    private readonly caps: RtpCapabilities,
    private readonly maxFrameSize: number,
    private readonly foreign: { producerId: number; transportId: number; consumerId: number },
  ) {}

  private id(): number {
    return this.nextId++;
  }

  private bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.rand() * 256);
    return b;
  }

  /** What the server must do with raw bytes: decided by decoding them as it will. */
  private expectationOf(bytes: Uint8Array): Expect | undefined {
    if (bytes.byteLength > this.maxFrameSize) return { kind: 'rejection' };
    try {
      const m = decodeClientMessage(bytes);
      // A notification that happens to decode may be carried out silently: not a fair check.
      return m.request ? { kind: 'response', id: m.request.id } : undefined;
    } catch (error) {
      const id = (error as ProtocolError).requestId;
      return id === undefined ? { kind: 'rejection' } : { kind: 'response', id };
    }
  }

  random(): Frame {
    for (;;) {
      const bytes = this.bytes(1 + Math.floor(this.rand() * 256));
      const expect = this.expectationOf(bytes);
      if (expect) return { category: 'random bytes', bytes, expect };
    }
  }

  truncated(): Frame {
    for (;;) {
      const full = encodeClientMessage({
        request: {
          id: this.id(),
          createProducer: {
            id: 1,
            kind: 1,
            transportId: 1,
            rtpParameters: message(audioParameters(7)),
            appData: jsonToMessage({ a: 'b' }),
          },
        },
      });
      const bytes = full.subarray(0, 1 + Math.floor(this.rand() * (full.byteLength - 1)));
      const expect = this.expectationOf(bytes);
      if (expect) return { category: 'truncated', bytes, expect };
    }
  }

  oversized(): Frame {
    const bytes = new Uint8Array(this.maxFrameSize + 1 + Math.floor(this.rand() * 1024));
    return { category: 'oversized', bytes, expect: { kind: 'rejection' } };
  }

  huge(): Frame {
    return {
      category: 'huge (ws limit)',
      bytes: new Uint8Array(this.maxFrameSize * 4 + 1),
      expect: { kind: 'close' },
    };
  }

  foreignIds(): Frame {
    const { producerId, transportId, consumerId } = this.foreign;
    const id = this.id();
    const bodies: (() => Frame)[] = [
      () =>
        this.req(
          id,
          { enableConsumer: { id: consumerId, transportId: 1 } },
          'foreign ids',
          'error',
        ),
      () =>
        this.req(
          id,
          {
            connectTransport: {
              transportId,
              dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: '00' }] },
            },
          },
          'foreign ids',
          'error',
        ),
      () => this.req(id, { restartIce: { transportId } }, 'foreign ids', 'error'),
      () =>
        this.req(
          id,
          { startConsumer: { id: 1 + Math.floor(this.rand() * 0xfffffffe) } },
          'foreign ids',
          'error',
        ),
      () => this.note({ pauseProducer: { id: producerId } }, 'foreign ids'),
      () => this.note({ closeProducer: { id: producerId } }, 'foreign ids'),
      () => this.note({ closeTransport: { id: transportId } }, 'foreign ids'),
      () =>
        this.note({ setConsumerPreferredProfile: { id: consumerId, profile: 2 } }, 'foreign ids'),
      () =>
        this.req(
          id,
          { enableDataConsumer: { id: consumerId, transportId: 1 } },
          'foreign ids',
          'error',
        ),
      () =>
        this.req(
          id,
          {
            createDataProducer: {
              id: 1 + Math.floor(this.rand() * 0xfffffffe),
              transportId,
              sctpStreamParameters: { streamId: Math.floor(this.rand() * 70000), ordered: true },
              label: 'x'.repeat(Math.floor(this.rand() * 400)),
            },
          },
          'foreign ids',
          'error',
        ),
      () => this.note({ closeDataProducer: { id: producerId } }, 'foreign ids'),
    ];
    return bodies[Math.floor(this.rand() * bodies.length)]!();
  }

  beforeJoin(): Frame {
    const id = this.id();
    return this.rand() < 0.5
      ? this.req(id, { createTransport: { id: 1, direction: 1 } }, 'before join', 'error')
      : this.note({ resumeConsumer: { id: 1 } }, 'before join');
  }

  doubleJoin(): Frame {
    return this.req(
      this.id(),
      {
        join: {
          protocolVersion: PROTOCOL_VERSION,
          peerName: 'again',
          rtpCapabilities: rtpCapabilitiesToMessage(this.caps),
        },
      },
      'double join',
      'error',
    );
  }

  hugeAppData(): Frame {
    const size = this.rand() < 0.5 ? this.maxFrameSize - 2048 : this.maxFrameSize + 4096;
    const bytes = encodeClientMessage(
      {
        request: {
          id: this.id(),
          createTransport: {
            id: 0xfffffff0 + Math.floor(this.rand() * 15),
            direction: 2,
            appData: jsonToMessage('x'.repeat(size)),
          },
        },
      },
      { maxFrameSize: Number.MAX_SAFE_INTEGER },
    );
    const expect = this.expectationOf(bytes)!;
    return { category: 'huge appData', bytes, expect };
  }

  manyProducers(): Frame {
    const producer = this.nextProducer++;
    return this.req(
      this.id(),
      {
        createProducer: {
          id: producer,
          kind: 1,
          transportId: 1,
          rtpParameters: message(audioParameters(100000 + producer)),
        },
      },
      'thousands of producers',
    );
  }

  valid(): Frame {
    return this.req(this.id(), { queryRoom: {} }, 'valid');
  }

  private req(
    id: number,
    body: Omit<pb.Request.$Properties, 'id'>,
    category: string,
    kind: 'response' | 'error' = 'response',
  ): Frame {
    return {
      category,
      bytes: encodeClientMessage({ request: { id, ...body } }),
      expect: { kind, id },
    };
  }

  private note(body: pb.ClientNotification.$Properties, category: string): Frame {
    return {
      category,
      bytes: encodeClientMessage({ notification: body }),
      expect: { kind: 'rejection' },
    };
  }
}
