import { num } from './check.js';
import { jsonFromMessage, jsonToMessage } from './json.js';
import { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import { transportTupleFromMessage, transportTupleToMessage } from './transport.js';
import type { RtcStats, TransportTuple } from './types.js';

// Members of mediasoup's stats objects that the Stats message types; the
// message's field names are the members' names.
const NUMBER_MEMBERS = [
  'packetsLost',
  'fractionLost',
  'packetsDiscarded',
  'packetsRetransmitted',
  'packetsRepaired',
  'nackCount',
  'nackPacketCount',
  'pliCount',
  'firCount',
  'score',
  'packetCount',
  'byteCount',
  'bitrate',
  'roundTripTime',
  'rtxPacketsDiscarded',
  'jitter',
  'bytesReceived',
  'recvBitrate',
  'bytesSent',
  'sendBitrate',
  'rtpBytesReceived',
  'rtpRecvBitrate',
  'rtpBytesSent',
  'rtpSendBitrate',
  'rtxBytesReceived',
  'rtxRecvBitrate',
  'rtxBytesSent',
  'rtxSendBitrate',
  'probationBytesSent',
  'probationSendBitrate',
  'availableOutgoingBitrate',
  'availableIncomingBitrate',
  'maxIncomingBitrate',
] as const;
const U32_MEMBERS = ['ssrc', 'rtxSsrc'] as const;
const STRING_MEMBERS = [
  'rid',
  'kind',
  'mimeType',
  'transportId',
  'sctpState',
  'iceRole',
  'iceState',
  'dtlsState',
] as const;
const BOOL_MEMBERS = ['rtcpMux', 'comedia'] as const;
const TUPLE_MEMBERS = ['iceSelectedTuple', 'tuple', 'rtcpTuple'] as const;

type MemberKind = 'number' | 'u32' | 'string' | 'bool' | 'tuple';

const isU32 = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const CHECKS: Record<MemberKind, (v: unknown) => boolean> = {
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  u32: isU32,
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  tuple: (v) => typeof v === 'object' && v !== null,
};

// One lookup per member, both ways: stats go out every second per object.
const KINDS = new Map<string, MemberKind>([
  ...NUMBER_MEMBERS.map((k) => [k, 'number'] as const),
  ...U32_MEMBERS.map((k) => [k, 'u32'] as const),
  ...STRING_MEMBERS.map((k) => [k, 'string'] as const),
  ...BOOL_MEMBERS.map((k) => [k, 'bool'] as const),
  ...TUPLE_MEMBERS.map((k) => [k, 'tuple'] as const),
]);

type StatsFields = Record<string, unknown>;

/**
 * A stats object → message. Members the message types go into their fields;
 * any other member (or a typed member with an unexpected value type) goes into
 * `extra`, so the object comes back whole.
 */
export function statsToMessage(stats: RtcStats, field = 'stats'): pb.Stats {
  if (stats === null || typeof stats !== 'object' || typeof stats.type !== 'string') {
    throw new ProtocolError('INVALID_FIELD', `${field} must be an object with a string type`, {
      field,
    });
  }
  const m: pb.Stats = pb.Stats.create({
    type: stats.type,
    timestamp: num(stats.timestamp ?? 0, `${field}.timestamp`),
  });
  const fields = m as unknown as StatsFields;
  let extra: Record<string, unknown> | undefined;
  for (const key in stats) {
    if (key === 'type' || key === 'timestamp') continue;
    const value = stats[key];
    if (value === undefined) continue;
    const kind = KINDS.get(key);
    if (kind !== undefined && CHECKS[kind](value)) {
      fields[key] =
        kind === 'tuple'
          ? transportTupleToMessage(value as TransportTuple, `${field}.${key}`)
          : value;
    } else {
      extra ??= {};
      extra[key] = value;
    }
  }
  if (extra) m.extra = jsonToMessage(extra, `${field}.extra`);
  return m;
}

/** Message → stats object. */
export function statsFromMessage(m: pb.Stats, field = 'stats'): RtcStats {
  const stats: RtcStats = { type: m.type, timestamp: m.timestamp };
  const fields = m as unknown as StatsFields;
  // A decoded message owns exactly the fields that were on the wire.
  for (const key of Object.keys(m)) {
    const kind = KINDS.get(key);
    const value = fields[key];
    if (kind === undefined || value == null) continue;
    stats[key] =
      kind === 'tuple'
        ? transportTupleFromMessage(value as pb.TransportTuple, `${field}.${key}`)
        : value;
  }
  const extra = jsonFromMessage(m.extra, `${field}.extra`);
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [key, value] of Object.entries(extra)) {
      if (!(key in stats)) stats[key] = value;
    }
  }
  return stats;
}

/** A list of stats objects → messages. */
export function statsListToMessage(list: readonly RtcStats[], field = 'stats'): pb.Stats[] {
  return list.map((s, i) => statsToMessage(s, `${field}[${i}]`));
}

/** Messages → a list of stats objects. */
export function statsListFromMessage(list: readonly pb.Stats[], field = 'stats'): RtcStats[] {
  return list.map((s, i) => statsFromMessage(s, `${field}[${i}]`));
}
