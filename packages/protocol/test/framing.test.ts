import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FRAME_SIZE,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  ProtocolError,
  pb,
} from '../src/index.js';

const join = encodeClientMessage({
  request: {
    id: 7,
    join: {
      protocolVersion: 1,
      peerName: 'alice',
      rtpCapabilities: {
        codecs: [
          {
            kind: pb.MediaKind.MEDIA_KIND_AUDIO,
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
          },
        ],
      },
      appData: {
        objectValue: { members: [{ key: 'displayName', value: { stringValue: 'Alice' } }] },
      },
    },
  },
});

function decodeOrProtocolError(
  decode: (b: Uint8Array) => unknown,
  bytes: Uint8Array,
): 'decoded' | string {
  try {
    decode(bytes);
    return 'decoded';
  } catch (error) {
    if (!(error instanceof ProtocolError))
      throw new Error(`not a ProtocolError: ${String(error)}`, { cause: error });
    return error.code;
  }
}

describe('framing', () => {
  it('round-trips a client request and keeps its id and body', () => {
    const message = decodeClientMessage(join);
    expect(message.message).toBe('request');
    expect(message.request?.id).toBe(7);
    expect(message.request?.body).toBe('join');
    expect(message.request?.join?.peerName).toBe('alice');
    expect(message.request?.join?.rtpCapabilities?.codecs[0]?.mimeType).toBe('audio/opus');
  });

  it('round-trips a server error response and a notification', () => {
    const error = decodeServerMessage(
      encodeServerMessage({
        response: {
          id: 3,
          error: { code: pb.ErrorCode.ERROR_CODE_NOT_FOUND, message: 'no transport 9' },
        },
      }),
    );
    expect(error.response?.result).toBe('error');
    expect(error.response?.error?.code).toBe(pb.ErrorCode.ERROR_CODE_NOT_FOUND);
    const note = decodeServerMessage(
      encodeServerMessage({ notification: { peerClosed: { name: 'bob' } } }),
    );
    expect(note.notification?.body).toBe('peerClosed');
    expect(note.notification?.peerClosed?.name).toBe('bob');
  });

  it('refuses an oversized frame before decoding it', () => {
    const big = new Uint8Array(DEFAULT_MAX_FRAME_SIZE + 1);
    expect(() => decodeClientMessage(big)).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
    expect(() => decodeClientMessage(join, { maxFrameSize: join.byteLength - 1 })).toThrow(
      ProtocolError,
    );
    expect(() => decodeClientMessage(join, { maxFrameSize: join.byteLength })).not.toThrow();
  });

  it('refuses to encode a message above the maximum frame size', () => {
    const appData = { stringValue: 'x'.repeat(2000) };
    expect(() =>
      encodeServerMessage(
        { notification: { peerClosed: { name: 'a', appData } } },
        { maxFrameSize: 1000 },
      ),
    ).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });

  // Encodes share one writer (framing.ts): each frame must still own its
  // bytes and come out the same whatever was encoded before it.
  it('gives each frame its own bytes, the same after a failed, a nested or a large encode', () => {
    const note = (name: string) => ({ notification: { peerClosed: { name } } });
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    const alone = hex(encodeServerMessage(note('bob')));
    const first = encodeServerMessage(note('bob'));
    const second = encodeServerMessage(note('carol'));
    expect(hex(first)).toBe(alone);
    expect(decodeServerMessage(first).notification?.peerClosed?.name).toBe('bob');
    expect(decodeServerMessage(second).notification?.peerClosed?.name).toBe('carol');

    // A value that throws in the middle of the encode, with forks open; the
    // next frame starts clean.
    const broken = {
      notification: {
        peerClosed: {
          get name(): string {
            throw new Error('not readable');
          },
        },
      },
    };
    expect(() => encodeServerMessage(broken)).toThrow(
      expect.objectContaining({ code: 'INVALID_FIELD' }),
    );
    expect(hex(encodeServerMessage(note('bob')))).toBe(alone);

    // A getter of the message that encodes a frame itself, while the outer
    // encode is under way: both frames are whole.
    let inner: Uint8Array | undefined;
    const nested = {
      notification: {
        peerClosed: {
          get name() {
            inner = encodeServerMessage(note('dave'));
            return 'erin';
          },
        },
      },
    };
    const outer = encodeServerMessage(nested);
    expect(decodeServerMessage(outer).notification?.peerClosed?.name).toBe('erin');
    expect(decodeServerMessage(inner!).notification?.peerClosed?.name).toBe('dave');

    // A frame far above the retained buffer size, then a small one.
    const large = encodeServerMessage({
      notification: { peerClosed: { name: 'big', appData: { stringValue: 'y'.repeat(200_000) } } },
    });
    expect(decodeServerMessage(large).notification?.peerClosed?.appData?.stringValue).toHaveLength(
      200_000,
    );
    expect(hex(encodeServerMessage(note('bob')))).toBe(alone);
  });

  it('reports a truncated frame as MALFORMED_FRAME', () => {
    for (let length = 1; length < join.byteLength; length++) {
      const code = decodeOrProtocolError(decodeClientMessage, join.subarray(0, length));
      expect(code, `truncated to ${length}`).not.toBe('decoded');
    }
  });

  it('reports an empty frame and an unknown request body, with the request id', () => {
    expect(() => decodeClientMessage(new Uint8Array(0))).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_MESSAGE' }),
    );
    // A request with id 5 and a body field number this version does not know (99).
    const unknownBody = encodeClientMessage({ request: { id: 5 } });
    const withUnknownField = new Uint8Array([
      ...unknownBody.subarray(0, 1),
      unknownBody[1]! + 3,
      ...unknownBody.subarray(2),
      0x9a,
      0x06,
      0x00,
    ]);
    try {
      decodeClientMessage(withUnknownField);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe('UNKNOWN_MESSAGE');
      expect((error as ProtocolError).requestId).toBe(5);
    }
  });

  it('refuses non-binary frames', () => {
    expect(() => decodeClientMessage('hello' as unknown as Uint8Array)).toThrow(
      expect.objectContaining({ code: 'MALFORMED_FRAME' }),
    );
  });

  it('turns 10,000 random, truncated and oversized inputs into a message or a ProtocolError, nothing else', () => {
    const valid = [
      join,
      encodeClientMessage({
        notification: { pauseProducer: { id: 1, appData: { nullValue: {} } } },
      }),
      encodeServerMessage({
        notification: {
          newConsumer: { consumer: { id: 9, kind: 2, peerName: 'bob', supported: true } },
        },
      }),
    ];
    const counts: Record<string, number> = {};
    let seed = 1;
    const rand = () => {
      // xorshift: reproducible inputs, so a failure can be replayed.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    for (let i = 0; i < 10_000; i++) {
      let bytes: Uint8Array;
      const kind = i % 4;
      if (kind === 0) {
        bytes = randomBytes(Math.floor(rand() * 512));
      } else if (kind === 1) {
        const source = valid[i % valid.length]!;
        bytes = source.subarray(0, Math.floor(rand() * source.byteLength));
      } else if (kind === 2) {
        const source = Uint8Array.from(valid[i % valid.length]!);
        for (let flips = 1 + Math.floor(rand() * 4); flips > 0; flips--) {
          source[Math.floor(rand() * source.length)] = Math.floor(rand() * 256);
        }
        bytes = source;
      } else {
        bytes = new Uint8Array(DEFAULT_MAX_FRAME_SIZE + 1 + Math.floor(rand() * 1024));
      }
      for (const decode of [decodeClientMessage, decodeServerMessage]) {
        const outcome = decodeOrProtocolError(decode, bytes);
        counts[outcome] = (counts[outcome] ?? 0) + 1;
      }
    }
    expect(counts.FRAME_TOO_LARGE).toBe(5000);
    expect(counts.MALFORMED_FRAME).toBeGreaterThan(1000);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(20_000);
    console.log('decoder outcomes for 10,000 inputs (x2 decoders):', counts);
  });

  it('refuses hostile nesting depth as MALFORMED_FRAME instead of overflowing the stack', () => {
    const varint = (n: number): number[] => {
      const out: number[] = [];
      while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      out.push(n);
      return out;
    };
    const field = (tag: number, body: number[]): number[] => [tag, ...varint(body.length), ...body];
    // appData = [[[[ … null … ]]]], 1,000 levels deep, in a leave notification.
    let value = field(0x0a, []); // JsonValue{null_value}
    for (let i = 0; i < 1000; i++) value = field(0x2a, field(0x0a, value)); // JsonValue{array_value{values:[value]}}
    const frame = Uint8Array.from(field(0x12, field(0x0a, field(0x0a, value))));
    expect(frame.byteLength).toBeLessThan(DEFAULT_MAX_FRAME_SIZE);
    expect(decodeOrProtocolError(decodeClientMessage, frame)).toBe('MALFORMED_FRAME');
  });
});
