// Just enough of a DTLS 1.2 client (RFC 6347) to reach the point where the
// server parses the client's certificate: a ClientHello offering what
// mediasoup accepts, the server's first flight read back, then a Certificate
// handshake message carrying any DER. Plaintext records of epoch 0 only;
// nothing is encrypted, because the server never gets further.
import { randomBytes } from 'node:crypto';

export const CONTENT_ALERT = 21;
export const CONTENT_HANDSHAKE = 22;
export const HANDSHAKE = {
  clientHello: 1,
  serverHello: 2,
  helloVerifyRequest: 3,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
} as const;
const DTLS_1_2 = 0xfefd;

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
/** A vector with a 1-, 2- or 3-byte length prefix. */
function vector(prefix: 1 | 2 | 3, data: Buffer): Buffer {
  const len =
    prefix === 1 ? Buffer.from([data.length]) : prefix === 2 ? u16(data.length) : u24(data.length);
  return Buffer.concat([len, data]);
}
function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vector(2, data)]);
}

/** Writes records and handshake messages with the right sequence numbers. */
export class DtlsClient {
  private recordSeq = 0;
  private messageSeq = 0;

  record(contentType: number, fragment: Buffer): Buffer {
    const h = Buffer.alloc(13);
    h.writeUInt8(contentType, 0);
    h.writeUInt16BE(DTLS_1_2, 1);
    h.writeUInt16BE(0, 3); // epoch 0
    h.writeUIntBE(this.recordSeq++, 5, 6);
    h.writeUInt16BE(fragment.length, 11);
    return Buffer.concat([h, fragment]);
  }

  handshake(msgType: number, body: Buffer): Buffer {
    const h = Buffer.concat([
      Buffer.from([msgType]),
      u24(body.length),
      u16(this.messageSeq++),
      u24(0), // fragment offset
      u24(body.length), // fragment length: unfragmented
    ]);
    return this.record(CONTENT_HANDSHAKE, Buffer.concat([h, body]));
  }

  clientHello(cookie: Buffer = Buffer.alloc(0)): Buffer {
    const suites = [0xc02b, 0xc02f, 0xc009, 0xc013, 0xc00a, 0xc014];
    const extensions = Buffer.concat([
      extension(0x000a, vector(2, Buffer.concat([u16(0x0017), u16(0x001d)]))), // groups: P-256, X25519
      extension(0x000b, vector(1, Buffer.from([0]))), // point formats: uncompressed
      extension(0x000d, vector(2, Buffer.concat([0x0403, 0x0804, 0x0401].map(u16)))), // signature algorithms
      extension(0x000e, Buffer.concat([vector(2, u16(0x0001)), vector(1, Buffer.alloc(0))])), // use_srtp
      extension(0x0017, Buffer.alloc(0)), // extended master secret
      extension(0xff01, vector(1, Buffer.alloc(0))), // renegotiation info
    ]);
    const body = Buffer.concat([
      u16(DTLS_1_2),
      randomBytes(32),
      vector(1, Buffer.alloc(0)), // session id
      vector(1, cookie),
      vector(2, Buffer.concat(suites.map(u16))),
      vector(1, Buffer.from([0])), // compression: null
      vector(2, extensions),
    ]);
    return this.handshake(HANDSHAKE.clientHello, body);
  }

  /** A Certificate handshake message whose chain is the given DER certificates. */
  certificate(...der: Buffer[]): Buffer {
    return this.handshake(
      HANDSHAKE.certificate,
      vector(3, Buffer.concat(der.map((c) => vector(3, c)))),
    );
  }
}

export interface DtlsRecord {
  contentType: number;
  epoch: number;
  fragment: Buffer;
}

/** The records of one datagram. */
export function parseRecords(datagram: Buffer): DtlsRecord[] {
  const records: DtlsRecord[] = [];
  let offset = 0;
  while (offset + 13 <= datagram.length) {
    const length = datagram.readUInt16BE(offset + 11);
    records.push({
      contentType: datagram.readUInt8(offset),
      epoch: datagram.readUInt16BE(offset + 3),
      fragment: datagram.subarray(offset + 13, offset + 13 + length),
    });
    offset += 13 + length;
  }
  return records;
}

/** The handshake message types in a plaintext handshake record (fragments included). */
export function handshakeTypes(record: DtlsRecord): number[] {
  const types: number[] = [];
  let offset = 0;
  while (record.epoch === 0 && offset + 12 <= record.fragment.length) {
    types.push(record.fragment.readUInt8(offset));
    offset += 12 + record.fragment.readUIntBE(offset + 9, 3);
  }
  return types;
}

/** The cookie of a HelloVerifyRequest's body. */
export function helloVerifyCookie(record: DtlsRecord): Buffer {
  const body = record.fragment.subarray(12);
  return body.subarray(3, 3 + body.readUInt8(2));
}
