import { memberPath } from './check.js';
import { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import type {
  CloseReason,
  DtlsRole,
  IceCandidate,
  MediaKind,
  Priority,
  Profile,
  RtpHeaderExtensionDirection,
  TransportDirection,
} from './types.js';

/** Maps between an engine's string values and a protobuf enum, both ways. */
export interface EnumMapping<S extends string> {
  /**
   * The enum number for an engine value; throws `INVALID_FIELD` for an unknown
   * value. The field's path is `field`, or `field.member` (`field[member]`
   * for an index) when `member` is given: it is only spelt out for an error.
   */
  toMessage(value: S, field: string, member?: string | number): number;
  /** The engine value for an enum number; throws `INVALID_FIELD` for UNSPECIFIED or unknown numbers. */
  fromMessage(value: number | null | undefined, field: string, member?: string | number): S;
}

function enumMapping<S extends string>(
  name: string,
  pairs: ReadonlyArray<readonly [S, number]>,
): EnumMapping<S> {
  const toNumber = new Map<string, number>(pairs);
  const toName = new Map<number, S>(pairs.map(([s, n]) => [n, s]));
  const allowed = pairs.map(([s]) => `'${s}'`).join(', ');
  return {
    toMessage(value, field, member) {
      const n = toNumber.get(value);
      if (n === undefined) {
        const at = memberPath(field, member);
        throw new ProtocolError(
          'INVALID_FIELD',
          `${at} must be one of ${allowed} (${name}), got ${JSON.stringify(value)}`,
          { field: at },
        );
      }
      return n;
    },
    fromMessage(value, field, member) {
      const s = value == null ? undefined : toName.get(value);
      if (s === undefined) {
        const at = memberPath(field, member);
        throw new ProtocolError(
          'INVALID_FIELD',
          `${at} is missing or not a known ${name} (got ${value ?? 'nothing'})`,
          { field: at },
        );
      }
      return s;
    },
  };
}

/** 'audio' | 'video' ↔ {@link pb.MediaKind}. */
export const mediaKind = enumMapping<MediaKind>('MediaKind', [
  ['audio', pb.MediaKind.MEDIA_KIND_AUDIO],
  ['video', pb.MediaKind.MEDIA_KIND_VIDEO],
]);

/** 'send' | 'recv' ↔ {@link pb.TransportDirection}. */
export const transportDirection = enumMapping<TransportDirection>('TransportDirection', [
  ['send', pb.TransportDirection.TRANSPORT_DIRECTION_SEND],
  ['recv', pb.TransportDirection.TRANSPORT_DIRECTION_RECV],
]);

/** Simulcast profile ↔ {@link pb.Profile}. */
export const profile = enumMapping<Profile>('Profile', [
  ['default', pb.Profile.PROFILE_DEFAULT],
  ['low', pb.Profile.PROFILE_LOW],
  ['medium', pb.Profile.PROFILE_MEDIUM],
  ['high', pb.Profile.PROFILE_HIGH],
  ['none', pb.Profile.PROFILE_NONE],
]);

/** Header extension direction ↔ {@link pb.RtpHeaderExtensionDirection}. */
export const headerExtensionDirection = enumMapping<RtpHeaderExtensionDirection>(
  'RtpHeaderExtensionDirection',
  [
    ['sendrecv', pb.RtpHeaderExtensionDirection.RTP_HEADER_EXTENSION_DIRECTION_SENDRECV],
    ['sendonly', pb.RtpHeaderExtensionDirection.RTP_HEADER_EXTENSION_DIRECTION_SENDONLY],
    ['recvonly', pb.RtpHeaderExtensionDirection.RTP_HEADER_EXTENSION_DIRECTION_RECVONLY],
    ['inactive', pb.RtpHeaderExtensionDirection.RTP_HEADER_EXTENSION_DIRECTION_INACTIVE],
  ],
);

/** Encoding priority ↔ {@link pb.Priority}. */
export const priority = enumMapping<Priority>('Priority', [
  ['very-low', pb.Priority.PRIORITY_VERY_LOW],
  ['low', pb.Priority.PRIORITY_LOW],
  ['medium', pb.Priority.PRIORITY_MEDIUM],
  ['high', pb.Priority.PRIORITY_HIGH],
]);

/** 'udp' | 'tcp' ↔ {@link pb.TransportProtocol}. */
export const transportProtocol = enumMapping<IceCandidate['protocol']>('TransportProtocol', [
  ['udp', pb.TransportProtocol.TRANSPORT_PROTOCOL_UDP],
  ['tcp', pb.TransportProtocol.TRANSPORT_PROTOCOL_TCP],
]);

/** ICE candidate type ↔ {@link pb.IceCandidateType}. */
export const iceCandidateType = enumMapping<IceCandidate['type']>('IceCandidateType', [
  ['host', pb.IceCandidateType.ICE_CANDIDATE_TYPE_HOST],
  ['srflx', pb.IceCandidateType.ICE_CANDIDATE_TYPE_SRFLX],
  ['prflx', pb.IceCandidateType.ICE_CANDIDATE_TYPE_PRFLX],
  ['relay', pb.IceCandidateType.ICE_CANDIDATE_TYPE_RELAY],
]);

/** ICE TCP type ↔ {@link pb.IceTcpType}. */
export const iceTcpType = enumMapping<NonNullable<IceCandidate['tcpType']>>('IceTcpType', [
  ['active', pb.IceTcpType.ICE_TCP_TYPE_ACTIVE],
  ['passive', pb.IceTcpType.ICE_TCP_TYPE_PASSIVE],
  ['so', pb.IceTcpType.ICE_TCP_TYPE_SO],
]);

/** DTLS role ↔ {@link pb.DtlsRole}. */
export const dtlsRole = enumMapping<DtlsRole>('DtlsRole', [
  ['auto', pb.DtlsRole.DTLS_ROLE_AUTO],
  ['client', pb.DtlsRole.DTLS_ROLE_CLIENT],
  ['server', pb.DtlsRole.DTLS_ROLE_SERVER],
]);

/** Why the server closed a peer ↔ {@link pb.CloseReason}. */
export const closeReason = enumMapping<CloseReason>('CloseReason', [
  ['peer_closed', pb.CloseReason.CLOSE_REASON_PEER_CLOSED],
  ['room_closed', pb.CloseReason.CLOSE_REASON_ROOM_CLOSED],
  ['worker_died', pb.CloseReason.CLOSE_REASON_WORKER_DIED],
  ['server_shutdown', pb.CloseReason.CLOSE_REASON_SERVER_SHUTDOWN],
  ['session_expired', pb.CloseReason.CLOSE_REASON_SESSION_EXPIRED],
  ['protocol_violation', pb.CloseReason.CLOSE_REASON_PROTOCOL_VIOLATION],
  ['node_draining', pb.CloseReason.CLOSE_REASON_NODE_DRAINING],
  ['removed', pb.CloseReason.CLOSE_REASON_REMOVED],
]);
