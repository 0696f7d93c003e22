import { list, present, str, u32 } from './check.js';
import { dtlsRole, iceCandidateType, iceTcpType, transportProtocol } from './enums.js';
import type { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  PlainRtpParameters,
  SctpCapabilities,
  SctpParameters,
  SctpStreamParameters,
  TransportTuple,
} from './types.js';

/** IceParameters → message. */
export function iceParametersToMessage(
  p: IceParameters,
  field = 'iceParameters',
): pb.IceParameters {
  const m: pb.IceParameters.$Properties = {
    usernameFragment: str(p.usernameFragment, field, 'usernameFragment'),
    password: str(p.password, field, 'password'),
  };
  if (p.iceLite !== undefined) m.iceLite = p.iceLite;
  return m as pb.IceParameters;
}

/** Message → IceParameters. */
export function iceParametersFromMessage(
  m: pb.IceParameters | null | undefined,
  field = 'iceParameters',
): IceParameters {
  const msg = present(m, field);
  const p: IceParameters = { usernameFragment: msg.usernameFragment, password: msg.password };
  if (msg.iceLite != null) p.iceLite = msg.iceLite;
  return p;
}

/** IceCandidate (mediasoup's, with `ip`, or mediasoup-client's, with `address`) → message. */
export function iceCandidateToMessage(
  c: Omit<IceCandidate, 'address'> & { address?: string },
  field = 'iceCandidate',
): pb.IceCandidate {
  const m: pb.IceCandidate.$Properties = {
    foundation: str(c.foundation, field, 'foundation'),
    priority: u32(c.priority, field, 'priority'),
    ip: str(c.ip ?? c.address, field, 'ip'),
    protocol: transportProtocol.toMessage(c.protocol, field, 'protocol'),
    port: u32(c.port, field, 'port'),
    type: iceCandidateType.toMessage(c.type, field, 'type'),
  };
  if (c.address !== undefined && c.address !== c.ip) m.address = str(c.address, field, 'address');
  if (c.tcpType !== undefined) m.tcpType = iceTcpType.toMessage(c.tcpType, field, 'tcpType');
  return m as pb.IceCandidate;
}

/** Message → IceCandidate, with both `ip` and `address` set (both engines accept it). */
export function iceCandidateFromMessage(m: pb.IceCandidate, field = 'iceCandidate'): IceCandidate {
  const c: IceCandidate = {
    foundation: m.foundation,
    priority: m.priority,
    ip: m.ip,
    address: m.address ?? m.ip,
    protocol: transportProtocol.fromMessage(m.protocol, field, 'protocol'),
    port: m.port,
    type: iceCandidateType.fromMessage(m.type, field, 'type'),
  };
  if (m.tcpType != null) c.tcpType = iceTcpType.fromMessage(m.tcpType, field, 'tcpType');
  return c;
}

/** DtlsParameters → message. */
export function dtlsParametersToMessage(
  p: DtlsParameters,
  field = 'dtlsParameters',
): pb.DtlsParameters {
  const given = list(p.fingerprints, field, 'fingerprints');
  const fingerprints: pb.DtlsFingerprint.$Properties[] = [];
  for (let i = 0; i < given.length; i++) {
    const f = given[i]!;
    if (typeof f.algorithm !== 'string' || typeof f.value !== 'string') {
      str(f.algorithm, `${field}.fingerprints[${i}]`, 'algorithm');
      str(f.value, `${field}.fingerprints[${i}]`, 'value');
    }
    fingerprints.push({ algorithm: f.algorithm, value: f.value });
  }
  const m: pb.DtlsParameters.$Properties = { fingerprints };
  if (p.role !== undefined) m.role = dtlsRole.toMessage(p.role, field, 'role');
  return m as pb.DtlsParameters;
}

/** Message → DtlsParameters. Throws `INVALID_FIELD` when it is missing or has no fingerprint. */
export function dtlsParametersFromMessage(
  m: pb.DtlsParameters | null | undefined,
  field = 'dtlsParameters',
): DtlsParameters {
  const msg = present(m, field);
  if (msg.fingerprints.length === 0) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `${field}.fingerprints must hold at least one fingerprint`,
      {
        field: `${field}.fingerprints`,
      },
    );
  }
  const p: DtlsParameters = {
    fingerprints: msg.fingerprints.map((f) => ({ algorithm: f.algorithm, value: f.value })),
  };
  if (msg.role != null) p.role = dtlsRole.fromMessage(msg.role, field, 'role');
  return p;
}

/** SctpCapabilities → message. */
export function sctpCapabilitiesToMessage(
  c: SctpCapabilities,
  field = 'sctpCapabilities',
): pb.SctpCapabilities {
  return {
    numStreams: {
      os: u32(c.numStreams?.OS, `${field}.numStreams`, 'OS'),
      mis: u32(c.numStreams?.MIS, `${field}.numStreams`, 'MIS'),
    },
  } as pb.SctpCapabilities;
}

/** Message → SctpCapabilities. */
export function sctpCapabilitiesFromMessage(
  m: pb.SctpCapabilities,
  field = 'sctpCapabilities',
): SctpCapabilities {
  const n = present(m.numStreams, field, 'numStreams');
  return { numStreams: { OS: n.os, MIS: n.mis } };
}

/** SctpParameters → message. */
export function sctpParametersToMessage(
  p: SctpParameters,
  field = 'sctpParameters',
): pb.SctpParameters {
  return {
    port: u32(p.port, field, 'port'),
    os: u32(p.OS, field, 'OS'),
    mis: u32(p.MIS, field, 'MIS'),
    maxMessageSize: u32(p.maxMessageSize, field, 'maxMessageSize'),
  } as pb.SctpParameters;
}

/** Message → SctpParameters. */
export function sctpParametersFromMessage(m: pb.SctpParameters): SctpParameters {
  return { port: m.port, OS: m.os, MIS: m.mis, maxMessageSize: m.maxMessageSize };
}

/** SctpStreamParameters → message. */
export function sctpStreamParametersToMessage(
  p: SctpStreamParameters,
  field = 'sctpStreamParameters',
): pb.SctpStreamParameters {
  const m: pb.SctpStreamParameters.$Properties = {
    streamId: u32(p.streamId, field, 'streamId'),
    ordered: p.ordered ?? true,
  };
  if (p.maxPacketLifeTime !== undefined)
    m.maxPacketLifeTime = u32(p.maxPacketLifeTime, field, 'maxPacketLifeTime');
  if (p.maxRetransmits !== undefined)
    m.maxRetransmits = u32(p.maxRetransmits, field, 'maxRetransmits');
  return m as pb.SctpStreamParameters;
}

/**
 * Message → SctpStreamParameters. Throws `INVALID_FIELD` when absent,
 * `INVALID_FIELD` for a stream id past 65534 or both partial-reliability
 * options at once (a DataChannel has at most one).
 */
export function sctpStreamParametersFromMessage(
  m: pb.SctpStreamParameters | null | undefined,
  field = 'sctpStreamParameters',
): SctpStreamParameters {
  const msg = present(m, field);
  if (msg.streamId > 65534)
    throw new ProtocolError('INVALID_FIELD', `${field}.streamId must be at most 65534`, {
      field: `${field}.streamId`,
    });
  const hasLifeTime = msg.maxPacketLifeTime != null;
  const hasRetransmits = msg.maxRetransmits != null;
  if (hasLifeTime && hasRetransmits)
    throw new ProtocolError(
      'INVALID_FIELD',
      `${field}: give maxPacketLifeTime or maxRetransmits, not both`,
      { field },
    );
  // mediasoup 3.12 reads 0 as "not set": the channel would silently become reliable.
  if (msg.maxPacketLifeTime === 0 || msg.maxRetransmits === 0)
    throw new ProtocolError(
      'INVALID_FIELD',
      `${field}: maxPacketLifeTime and maxRetransmits must be at least 1 (0 is not supported)`,
      { field },
    );
  const p: SctpStreamParameters = { streamId: msg.streamId, ordered: msg.ordered };
  if (hasLifeTime) p.maxPacketLifeTime = msg.maxPacketLifeTime!;
  if (hasRetransmits) p.maxRetransmits = msg.maxRetransmits!;
  return p;
}

/** PlainRtpParameters → message. */
export function plainRtpParametersToMessage(
  p: PlainRtpParameters,
  field = 'plainRtpParameters',
): pb.PlainRtpParameters {
  const m: pb.PlainRtpParameters.$Properties = {
    ip: str(p.ip, field, 'ip'),
    ipVersion: u32(p.ipVersion, field, 'ipVersion'),
    port: u32(p.port, field, 'port'),
  };
  if (p.rtcpPort !== undefined) m.rtcpPort = u32(p.rtcpPort, field, 'rtcpPort');
  return m as pb.PlainRtpParameters;
}

/** Message → PlainRtpParameters. Throws `INVALID_FIELD` for an IP version other than 4 or 6. */
export function plainRtpParametersFromMessage(
  m: pb.PlainRtpParameters,
  field = 'plainRtpParameters',
): PlainRtpParameters {
  if (m.ipVersion !== 4 && m.ipVersion !== 6) {
    throw new ProtocolError(
      'INVALID_FIELD',
      `${field}.ipVersion must be 4 or 6, got ${m.ipVersion}`,
      {
        field: `${field}.ipVersion`,
      },
    );
  }
  const p: PlainRtpParameters = { ip: m.ip, ipVersion: m.ipVersion, port: m.port };
  if (m.rtcpPort != null) p.rtcpPort = m.rtcpPort;
  return p;
}

/** TransportTuple → message (mediasoup's tuple shape). */
export function transportTupleToMessage(t: TransportTuple, field = 'tuple'): pb.TransportTuple {
  const m: pb.TransportTuple.$Properties = {
    localIp: str(t.localIp, field, 'localIp'),
    localPort: u32(t.localPort, field, 'localPort'),
    protocol: transportProtocol.toMessage(t.protocol, field, 'protocol'),
  };
  if (t.remoteIp !== undefined) m.remoteIp = str(t.remoteIp, field, 'remoteIp');
  if (t.remotePort !== undefined) m.remotePort = u32(t.remotePort, field, 'remotePort');
  return m as pb.TransportTuple;
}

/** Message → TransportTuple. */
export function transportTupleFromMessage(m: pb.TransportTuple, field = 'tuple'): TransportTuple {
  const t: TransportTuple = {
    localIp: m.localIp,
    localPort: m.localPort,
    protocol: transportProtocol.fromMessage(m.protocol, field, 'protocol'),
  };
  if (m.remoteIp != null) t.remoteIp = m.remoteIp;
  if (m.remotePort != null) t.remotePort = m.remotePort;
  return t;
}
