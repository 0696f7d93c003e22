import { type Field, num, Path } from './check.js';
import { jsonFromMessageAt, jsonToMessageAt } from './json.js';
import { layersFromMessage, layersToMessage } from './layers.js';
import type { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import { transportTupleFromMessage, transportTupleToMessage } from './transport.js';
import type { RtcStats, TransportTuple } from './types.js';
import { PROTOCOL_VERSION } from './version.js';

// Members of mediasoup's stats objects that the Stats message types; the
// message's field names are the members' names. The conversions below copy
// them member by member, by name (stats go out every second per object, and
// a copy by name costs a tenth of one driven by this list); the list drives
// the rare objects the copy by name does not take (see `generic`), and a test
// checks that both name every field of the message.
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
  'rtpPacketLossReceived',
  'rtpPacketLossSent',
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
const LAYERS_MEMBERS = ['bitrateByLayer'] as const;

// Members the message types since protocol version 2: a client of version 1
// does not know their fields, and gets them in `extra`, as it did.
const TYPED_SINCE_2 = new Set(['bitrateByLayer', 'rtpPacketLossReceived', 'rtpPacketLossSent']);

type MemberKind = 'number' | 'u32' | 'string' | 'bool' | 'tuple' | 'layers';

const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isU32 = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const CHECKS: Record<MemberKind, (v: unknown) => boolean> = {
  number: isNumber,
  u32: isU32,
  string: (v) => typeof v === 'string',
  bool: (v) => typeof v === 'boolean',
  tuple: (v) => typeof v === 'object' && v !== null,
  layers: (v) => layersToMessage(v) !== undefined,
};

const KINDS = new Map<string, MemberKind>([
  ...NUMBER_MEMBERS.map((k) => [k, 'number'] as const),
  ...U32_MEMBERS.map((k) => [k, 'u32'] as const),
  ...STRING_MEMBERS.map((k) => [k, 'string'] as const),
  ...BOOL_MEMBERS.map((k) => [k, 'bool'] as const),
  ...TUPLE_MEMBERS.map((k) => [k, 'tuple'] as const),
  ...LAYERS_MEMBERS.map((k) => [k, 'layers'] as const),
]);
/** The members a client of protocol version 1 gets in their fields. */
const KINDS_V1 = new Map([...KINDS].filter(([k]) => !TYPED_SINCE_2.has(k)));

/** Options of {@link statsToMessage} and {@link statsListToMessage}. */
export interface StatsToMessageOptions {
  /**
   * The protocol version of the client the stats are for; default
   * {@link PROTOCOL_VERSION}. A client of version 1 does not know the fields
   * the message types since version 2 (`bitrateByLayer`,
   * `rtpPacketLossReceived`, `rtpPacketLossSent`): for it those members
   * travel in `extra`, as they did in version 1.
   */
  protocolVersion?: number;
}

type StatsFields = Record<string, unknown>;

/** Whether every typed member copied so far has its type. */
interface Copy {
  ok: boolean;
}

const numberMember = (v: unknown, copy: Copy): unknown => {
  if (!isNumber(v)) copy.ok = false;
  return v;
};
const u32Member = (v: unknown, copy: Copy): unknown => {
  if (!isU32(v)) copy.ok = false;
  return v;
};
const stringMember = (v: unknown, copy: Copy): unknown => {
  if (typeof v !== 'string') copy.ok = false;
  return v;
};
const boolMember = (v: unknown, copy: Copy): unknown => {
  if (typeof v !== 'boolean') copy.ok = false;
  return v;
};
const tupleMember = (v: unknown, field: Field, key: string, copy: Copy): unknown => {
  if (typeof v !== 'object' || v === null) {
    copy.ok = false;
    return v;
  }
  return transportTupleToMessage(v as TransportTuple, `${field}.${key}`);
};

/**
 * A stats object → message. Members the message types go into their fields;
 * any other member (or a typed member with an unexpected value type) goes into
 * `extra`, so the object comes back whole. The message is a plain object of
 * the `pb.Stats` shape (what the encoders take), not an instance.
 */
export function statsToMessage(
  stats: RtcStats,
  field = 'stats',
  options?: StatsToMessageOptions,
): pb.Stats {
  return statsAt(stats, field, typedSince2(options));
}

const typedSince2 = (options: StatsToMessageOptions | undefined): boolean =>
  (options?.protocolVersion ?? PROTOCOL_VERSION) >= 2;

function statsAt(stats: RtcStats, field: Field, since2: boolean): pb.Stats {
  if (stats === null || typeof stats !== 'object' || typeof stats.type !== 'string') {
    throw new ProtocolError('INVALID_FIELD', `${field} must be an object with a string type`, {
      field: String(field),
    });
  }
  const timestamp = stats.timestamp ?? 0;
  const m: StatsFields = {
    type: stats.type,
    timestamp: isNumber(timestamp) ? timestamp : num(timestamp, field, 'timestamp'),
  };
  const x = stats as StatsFields;
  // Every typed member, by name; one of an unexpected type sends the object
  // the generic way (it goes into `extra`, in the object's order).
  const copy = { ok: true };
  if (x.ssrc !== undefined) m.ssrc = u32Member(x.ssrc, copy);
  if (x.rtxSsrc !== undefined) m.rtxSsrc = u32Member(x.rtxSsrc, copy);
  if (x.rid !== undefined) m.rid = stringMember(x.rid, copy);
  if (x.kind !== undefined) m.kind = stringMember(x.kind, copy);
  if (x.mimeType !== undefined) m.mimeType = stringMember(x.mimeType, copy);
  if (x.packetsLost !== undefined) m.packetsLost = numberMember(x.packetsLost, copy);
  if (x.fractionLost !== undefined) m.fractionLost = numberMember(x.fractionLost, copy);
  if (x.packetsDiscarded !== undefined) m.packetsDiscarded = numberMember(x.packetsDiscarded, copy);
  if (x.packetsRetransmitted !== undefined)
    m.packetsRetransmitted = numberMember(x.packetsRetransmitted, copy);
  if (x.packetsRepaired !== undefined) m.packetsRepaired = numberMember(x.packetsRepaired, copy);
  if (x.nackCount !== undefined) m.nackCount = numberMember(x.nackCount, copy);
  if (x.nackPacketCount !== undefined) m.nackPacketCount = numberMember(x.nackPacketCount, copy);
  if (x.pliCount !== undefined) m.pliCount = numberMember(x.pliCount, copy);
  if (x.firCount !== undefined) m.firCount = numberMember(x.firCount, copy);
  if (x.score !== undefined) m.score = numberMember(x.score, copy);
  if (x.packetCount !== undefined) m.packetCount = numberMember(x.packetCount, copy);
  if (x.byteCount !== undefined) m.byteCount = numberMember(x.byteCount, copy);
  if (x.bitrate !== undefined) m.bitrate = numberMember(x.bitrate, copy);
  if (x.roundTripTime !== undefined) m.roundTripTime = numberMember(x.roundTripTime, copy);
  if (x.rtxPacketsDiscarded !== undefined)
    m.rtxPacketsDiscarded = numberMember(x.rtxPacketsDiscarded, copy);
  if (x.jitter !== undefined) m.jitter = numberMember(x.jitter, copy);
  if (since2) {
    if (x.bitrateByLayer !== undefined) {
      const layers = layersToMessage(x.bitrateByLayer);
      if (layers === undefined) copy.ok = false;
      else m.bitrateByLayer = layers;
    }
    if (x.rtpPacketLossReceived !== undefined)
      m.rtpPacketLossReceived = numberMember(x.rtpPacketLossReceived, copy);
    if (x.rtpPacketLossSent !== undefined)
      m.rtpPacketLossSent = numberMember(x.rtpPacketLossSent, copy);
  }
  if (x.transportId !== undefined) m.transportId = stringMember(x.transportId, copy);
  if (x.sctpState !== undefined) m.sctpState = stringMember(x.sctpState, copy);
  if (x.bytesReceived !== undefined) m.bytesReceived = numberMember(x.bytesReceived, copy);
  if (x.recvBitrate !== undefined) m.recvBitrate = numberMember(x.recvBitrate, copy);
  if (x.bytesSent !== undefined) m.bytesSent = numberMember(x.bytesSent, copy);
  if (x.sendBitrate !== undefined) m.sendBitrate = numberMember(x.sendBitrate, copy);
  if (x.rtpBytesReceived !== undefined) m.rtpBytesReceived = numberMember(x.rtpBytesReceived, copy);
  if (x.rtpRecvBitrate !== undefined) m.rtpRecvBitrate = numberMember(x.rtpRecvBitrate, copy);
  if (x.rtpBytesSent !== undefined) m.rtpBytesSent = numberMember(x.rtpBytesSent, copy);
  if (x.rtpSendBitrate !== undefined) m.rtpSendBitrate = numberMember(x.rtpSendBitrate, copy);
  if (x.rtxBytesReceived !== undefined) m.rtxBytesReceived = numberMember(x.rtxBytesReceived, copy);
  if (x.rtxRecvBitrate !== undefined) m.rtxRecvBitrate = numberMember(x.rtxRecvBitrate, copy);
  if (x.rtxBytesSent !== undefined) m.rtxBytesSent = numberMember(x.rtxBytesSent, copy);
  if (x.rtxSendBitrate !== undefined) m.rtxSendBitrate = numberMember(x.rtxSendBitrate, copy);
  if (x.probationBytesSent !== undefined)
    m.probationBytesSent = numberMember(x.probationBytesSent, copy);
  if (x.probationSendBitrate !== undefined)
    m.probationSendBitrate = numberMember(x.probationSendBitrate, copy);
  if (x.availableOutgoingBitrate !== undefined)
    m.availableOutgoingBitrate = numberMember(x.availableOutgoingBitrate, copy);
  if (x.availableIncomingBitrate !== undefined)
    m.availableIncomingBitrate = numberMember(x.availableIncomingBitrate, copy);
  if (x.maxIncomingBitrate !== undefined)
    m.maxIncomingBitrate = numberMember(x.maxIncomingBitrate, copy);
  if (x.iceRole !== undefined) m.iceRole = stringMember(x.iceRole, copy);
  if (x.iceState !== undefined) m.iceState = stringMember(x.iceState, copy);
  if (x.iceSelectedTuple !== undefined)
    m.iceSelectedTuple = tupleMember(x.iceSelectedTuple, field, 'iceSelectedTuple', copy);
  if (x.dtlsState !== undefined) m.dtlsState = stringMember(x.dtlsState, copy);
  if (x.rtcpMux !== undefined) m.rtcpMux = boolMember(x.rtcpMux, copy);
  if (x.comedia !== undefined) m.comedia = boolMember(x.comedia, copy);
  if (x.tuple !== undefined) m.tuple = tupleMember(x.tuple, field, 'tuple', copy);
  if (x.rtcpTuple !== undefined) m.rtcpTuple = tupleMember(x.rtcpTuple, field, 'rtcpTuple', copy);
  const kinds = since2 ? KINDS : KINDS_V1;
  if (!copy.ok) return generic(stats, field, kinds);
  let extra: StatsFields | undefined;
  for (const key in x) {
    if (kinds.has(key) || key === 'type' || key === 'timestamp') continue;
    const value = x[key];
    if (value === undefined) continue;
    extra ??= {};
    extra[key] = value;
  }
  if (extra) m.extra = jsonToMessageAt(extra, field, 'extra');
  return m as unknown as pb.Stats;
}

/** statsToMessage member by member, in the object's order: for objects with a typed member of another type. */
function generic(stats: RtcStats, field: Field, kinds: ReadonlyMap<string, MemberKind>): pb.Stats {
  const timestamp = stats.timestamp ?? 0;
  const m: StatsFields = { type: stats.type, timestamp };
  let extra: StatsFields | undefined;
  for (const key in stats) {
    if (key === 'type' || key === 'timestamp') continue;
    const value = stats[key];
    if (value === undefined) continue;
    const kind = kinds.get(key);
    if (kind !== undefined && CHECKS[kind](value)) {
      m[key] =
        kind === 'tuple'
          ? transportTupleToMessage(value as TransportTuple, `${field}.${key}`)
          : kind === 'layers'
            ? layersToMessage(value)
            : value;
    } else {
      extra ??= {};
      extra[key] = value;
    }
  }
  if (extra) m.extra = jsonToMessageAt(extra, field, 'extra');
  return m as unknown as pb.Stats;
}

/** Message → stats object; its members come in the message's field order. */
export function statsFromMessage(m: pb.Stats, field = 'stats'): RtcStats {
  return statsFrom(m, field);
}

function statsFrom(m: pb.Stats, field: Field): RtcStats {
  const s: RtcStats = { type: m.type, timestamp: m.timestamp };
  if (m.ssrc != null) s.ssrc = m.ssrc;
  if (m.rtxSsrc != null) s.rtxSsrc = m.rtxSsrc;
  if (m.rid != null) s.rid = m.rid;
  if (m.kind != null) s.kind = m.kind;
  if (m.mimeType != null) s.mimeType = m.mimeType;
  if (m.packetsLost != null) s.packetsLost = m.packetsLost;
  if (m.fractionLost != null) s.fractionLost = m.fractionLost;
  if (m.packetsDiscarded != null) s.packetsDiscarded = m.packetsDiscarded;
  if (m.packetsRetransmitted != null) s.packetsRetransmitted = m.packetsRetransmitted;
  if (m.packetsRepaired != null) s.packetsRepaired = m.packetsRepaired;
  if (m.nackCount != null) s.nackCount = m.nackCount;
  if (m.nackPacketCount != null) s.nackPacketCount = m.nackPacketCount;
  if (m.pliCount != null) s.pliCount = m.pliCount;
  if (m.firCount != null) s.firCount = m.firCount;
  if (m.score != null) s.score = m.score;
  if (m.packetCount != null) s.packetCount = m.packetCount;
  if (m.byteCount != null) s.byteCount = m.byteCount;
  if (m.bitrate != null) s.bitrate = m.bitrate;
  if (m.roundTripTime != null) s.roundTripTime = m.roundTripTime;
  if (m.rtxPacketsDiscarded != null) s.rtxPacketsDiscarded = m.rtxPacketsDiscarded;
  if (m.jitter != null) s.jitter = m.jitter;
  if (m.bitrateByLayer != null && m.bitrateByLayer.length > 0)
    s.bitrateByLayer = layersFromMessage(m.bitrateByLayer);
  if (m.transportId != null) s.transportId = m.transportId;
  if (m.sctpState != null) s.sctpState = m.sctpState;
  if (m.bytesReceived != null) s.bytesReceived = m.bytesReceived;
  if (m.recvBitrate != null) s.recvBitrate = m.recvBitrate;
  if (m.bytesSent != null) s.bytesSent = m.bytesSent;
  if (m.sendBitrate != null) s.sendBitrate = m.sendBitrate;
  if (m.rtpBytesReceived != null) s.rtpBytesReceived = m.rtpBytesReceived;
  if (m.rtpRecvBitrate != null) s.rtpRecvBitrate = m.rtpRecvBitrate;
  if (m.rtpBytesSent != null) s.rtpBytesSent = m.rtpBytesSent;
  if (m.rtpSendBitrate != null) s.rtpSendBitrate = m.rtpSendBitrate;
  if (m.rtxBytesReceived != null) s.rtxBytesReceived = m.rtxBytesReceived;
  if (m.rtxRecvBitrate != null) s.rtxRecvBitrate = m.rtxRecvBitrate;
  if (m.rtxBytesSent != null) s.rtxBytesSent = m.rtxBytesSent;
  if (m.rtxSendBitrate != null) s.rtxSendBitrate = m.rtxSendBitrate;
  if (m.probationBytesSent != null) s.probationBytesSent = m.probationBytesSent;
  if (m.probationSendBitrate != null) s.probationSendBitrate = m.probationSendBitrate;
  if (m.availableOutgoingBitrate != null) s.availableOutgoingBitrate = m.availableOutgoingBitrate;
  if (m.availableIncomingBitrate != null) s.availableIncomingBitrate = m.availableIncomingBitrate;
  if (m.maxIncomingBitrate != null) s.maxIncomingBitrate = m.maxIncomingBitrate;
  if (m.iceRole != null) s.iceRole = m.iceRole;
  if (m.iceState != null) s.iceState = m.iceState;
  if (m.iceSelectedTuple != null)
    s.iceSelectedTuple = transportTupleFromMessage(m.iceSelectedTuple, `${field}.iceSelectedTuple`);
  if (m.dtlsState != null) s.dtlsState = m.dtlsState;
  if (m.rtcpMux != null) s.rtcpMux = m.rtcpMux;
  if (m.comedia != null) s.comedia = m.comedia;
  if (m.tuple != null) s.tuple = transportTupleFromMessage(m.tuple, `${field}.tuple`);
  if (m.rtcpTuple != null)
    s.rtcpTuple = transportTupleFromMessage(m.rtcpTuple, `${field}.rtcpTuple`);
  if (m.rtpPacketLossReceived != null) s.rtpPacketLossReceived = m.rtpPacketLossReceived;
  if (m.rtpPacketLossSent != null) s.rtpPacketLossSent = m.rtpPacketLossSent;
  if (m.extra != null) {
    const extra = jsonFromMessageAt(m.extra, field, 'extra');
    if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) {
      const names = Object.keys(extra);
      for (let i = 0; i < names.length; i++) {
        const key = names[i]!;
        if (!(key in s)) s[key] = extra[key];
      }
    }
  }
  return s;
}

/** A list of stats objects → messages (see {@link statsToMessage}). */
export function statsListToMessage(
  list: readonly RtcStats[],
  field = 'stats',
  options?: StatsToMessageOptions,
): pb.Stats[] {
  const since2 = typedSince2(options);
  return list.map((s, i) => statsAt(s, new Path(field, i), since2));
}

/** Messages → a list of stats objects. */
export function statsListFromMessage(list: readonly pb.Stats[], field = 'stats'): RtcStats[] {
  return list.map((s, i) => statsFrom(s, new Path(field, i)));
}
