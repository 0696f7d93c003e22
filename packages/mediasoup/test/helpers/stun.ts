// A STUN Binding Request as an ICE controlling agent sends it (RFC 8445 §7.1,
// RFC 5389): USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, then
// MESSAGE-INTEGRITY (HMAC-SHA1 with the server's ICE password) and
// FINGERPRINT (CRC-32). What a room participant can send once it has the
// transport's ICE parameters.
import { createHmac, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;

function attribute(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(value.length, 2);
  const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([header, value, padding]);
}

function header(type: number, bodyLength: number, transactionId: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(bodyLength, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(h, 8);
  return h;
}

export interface BindingRequestOptions {
  /** The transport's ICE username fragment (iceParameters.usernameFragment). */
  serverUfrag: string;
  /** The transport's ICE password: the MESSAGE-INTEGRITY key. */
  serverPassword: string;
  clientUfrag?: string;
}

export function bindingRequest(options: BindingRequestOptions): Buffer {
  const transactionId = randomBytes(12);
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(0x6e0001ff, 0);
  let body = Buffer.concat([
    attribute(0x0006, Buffer.from(`${options.serverUfrag}:${options.clientUfrag ?? 'cve0778'}`)),
    attribute(0x0024, priority),
    attribute(0x802a, randomBytes(8)), // ICE-CONTROLLING, tie-breaker
    attribute(0x0025, Buffer.alloc(0)), // USE-CANDIDATE
  ]);
  // MESSAGE-INTEGRITY covers the message with a length that counts itself (24).
  const mac = createHmac('sha1', options.serverPassword)
    .update(Buffer.concat([header(BINDING_REQUEST, body.length + 24, transactionId), body]))
    .digest();
  body = Buffer.concat([body, attribute(0x0008, mac)]);
  // FINGERPRINT: CRC-32 of the message with a length that counts it (8), XOR 'STUN'.
  const fingerprint = Buffer.alloc(4);
  const crc = crc32(Buffer.concat([header(BINDING_REQUEST, body.length + 8, transactionId), body]));
  fingerprint.writeUInt32BE((crc ^ 0x5354554e) >>> 0, 0);
  body = Buffer.concat([body, attribute(0x8028, fingerprint)]);
  return Buffer.concat([header(BINDING_REQUEST, body.length, transactionId), body]);
}

/** The STUN message type of a datagram, or undefined when it is not STUN. */
export function stunType(datagram: Buffer): number | undefined {
  if (datagram.length < 20 || datagram.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  return datagram.readUInt16BE(0);
}
