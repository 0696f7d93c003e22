import { bool, list, num, present, str, u32 } from './check.js';
import { headerExtensionDirection, mediaKind, priority } from './enums.js';
import { jsonFromMessage, jsonToMessage } from './json.js';
import { pb } from './messages.js';
import { ProtocolError } from './ProtocolError.js';
import type {
  Parameters,
  RtcpFeedback,
  RtcpParameters,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtension,
  RtpHeaderExtensionParameters,
  RtpParameters,
} from './types.js';

// Conversions between the engines' RTP types and their messages. Presence is
// kept: an optional member that is absent stays absent, one that is present
// (even false, 0 or '') comes back. Lists and parameter maps come back as
// arrays and objects even when empty, the canonical form both engines produce.

/** RtpCapabilities → message. */
export function rtpCapabilitiesToMessage(
  caps: RtpCapabilities,
  field = 'rtpCapabilities',
): pb.RtpCapabilities {
  return pb.RtpCapabilities.create({
    codecs: list(caps.codecs, `${field}.codecs`).map((c, i) =>
      codecCapabilityToMessage(c, `${field}.codecs[${i}]`),
    ),
    headerExtensions: list(caps.headerExtensions, `${field}.headerExtensions`).map((h, i) =>
      headerExtensionToMessage(h, `${field}.headerExtensions[${i}]`),
    ),
  });
}

/** Message → RtpCapabilities. */
export function rtpCapabilitiesFromMessage(
  message: pb.RtpCapabilities,
  field = 'rtpCapabilities',
): RtpCapabilities {
  return {
    codecs: message.codecs.map((c, i) => codecCapabilityFromMessage(c, `${field}.codecs[${i}]`)),
    headerExtensions: message.headerExtensions.map((h, i) =>
      headerExtensionFromMessage(h, `${field}.headerExtensions[${i}]`),
    ),
  };
}

function codecCapabilityToMessage(codec: RtpCodecCapability, field: string): pb.RtpCodecCapability {
  const m = pb.RtpCodecCapability.create({
    kind: mediaKind.toMessage(codec.kind, `${field}.kind`),
    mimeType: str(codec.mimeType, `${field}.mimeType`),
    clockRate: u32(codec.clockRate, `${field}.clockRate`),
    parameters: parametersToMessage(codec.parameters, `${field}.parameters`),
    rtcpFeedback: list(codec.rtcpFeedback, `${field}.rtcpFeedback`).map((f, i) =>
      rtcpFeedbackToMessage(f, `${field}.rtcpFeedback[${i}]`),
    ),
  });
  if (codec.preferredPayloadType !== undefined)
    m.preferredPayloadType = u32(codec.preferredPayloadType, `${field}.preferredPayloadType`);
  if (codec.channels !== undefined) m.channels = u32(codec.channels, `${field}.channels`);
  return m;
}

function codecCapabilityFromMessage(m: pb.RtpCodecCapability, field: string): RtpCodecCapability {
  const codec: RtpCodecCapability = {
    kind: mediaKind.fromMessage(m.kind, `${field}.kind`),
    mimeType: m.mimeType,
    clockRate: m.clockRate,
    parameters: parametersFromMessage(m.parameters, `${field}.parameters`),
    rtcpFeedback: m.rtcpFeedback.map(rtcpFeedbackFromMessage),
  };
  if (m.preferredPayloadType != null) codec.preferredPayloadType = m.preferredPayloadType;
  if (m.channels != null) codec.channels = m.channels;
  return codec;
}

function headerExtensionToMessage(ext: RtpHeaderExtension, field: string): pb.RtpHeaderExtension {
  const m = pb.RtpHeaderExtension.create({
    kind: mediaKind.toMessage(ext.kind, `${field}.kind`),
    uri: str(ext.uri, `${field}.uri`),
    preferredId: u32(ext.preferredId, `${field}.preferredId`),
  });
  if (ext.preferredEncrypt !== undefined)
    m.preferredEncrypt = bool(ext.preferredEncrypt, `${field}.preferredEncrypt`);
  if (ext.direction !== undefined)
    m.direction = headerExtensionDirection.toMessage(ext.direction, `${field}.direction`);
  return m;
}

function headerExtensionFromMessage(m: pb.RtpHeaderExtension, field: string): RtpHeaderExtension {
  const ext: RtpHeaderExtension = {
    kind: mediaKind.fromMessage(m.kind, `${field}.kind`),
    uri: m.uri,
    preferredId: m.preferredId,
  };
  if (m.preferredEncrypt != null) ext.preferredEncrypt = m.preferredEncrypt;
  if (m.direction != null)
    ext.direction = headerExtensionDirection.fromMessage(m.direction, `${field}.direction`);
  return ext;
}

/** Codec or header-extension parameters → messages, each value keeping its type. */
export function parametersToMessage(
  parameters: Parameters | undefined,
  field: string,
): pb.Parameter[] {
  if (parameters === undefined || parameters === null) return [];
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new ProtocolError('INVALID_FIELD', `${field} must be an object`, { field });
  }
  const out: pb.Parameter[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(pb.Parameter.create({ name, stringValue: value }));
    else if (typeof value === 'number')
      out.push(pb.Parameter.create({ name, numberValue: num(value, `${field}.${name}`) }));
    else
      out.push(pb.Parameter.create({ name, jsonValue: jsonToMessage(value, `${field}.${name}`) }));
  }
  return out;
}

/** Messages → codec or header-extension parameters. */
export function parametersFromMessage(parameters: pb.Parameter[], field: string): Parameters {
  const out: Parameters = {};
  for (const p of parameters) {
    let value: unknown;
    switch (p.value) {
      case 'stringValue':
        value = p.stringValue;
        break;
      case 'numberValue':
        value = p.numberValue;
        break;
      case 'jsonValue':
        value = jsonFromMessage(p.jsonValue, `${field}.${p.name}`);
        break;
      default:
        value = null;
    }
    Object.defineProperty(out, p.name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function rtcpFeedbackToMessage(fb: RtcpFeedback, field: string): pb.RtcpFeedback {
  const m = pb.RtcpFeedback.create({ type: str(fb.type, `${field}.type`) });
  if (fb.parameter !== undefined) m.parameter = str(fb.parameter, `${field}.parameter`);
  return m;
}

function rtcpFeedbackFromMessage(m: pb.RtcpFeedback): RtcpFeedback {
  const fb: RtcpFeedback = { type: m.type };
  if (m.parameter != null) fb.parameter = m.parameter;
  return fb;
}

/** RtpParameters → message. */
export function rtpParametersToMessage(
  params: RtpParameters,
  field = 'rtpParameters',
): pb.RtpParameters {
  if (params === null || typeof params !== 'object') {
    throw new ProtocolError('INVALID_FIELD', `${field} must be an object`, { field });
  }
  const m = pb.RtpParameters.create({
    codecs: list(params.codecs, `${field}.codecs`).map((c, i) =>
      codecParametersToMessage(c, `${field}.codecs[${i}]`),
    ),
    headerExtensions: list(params.headerExtensions, `${field}.headerExtensions`).map((h, i) =>
      headerExtensionParametersToMessage(h, `${field}.headerExtensions[${i}]`),
    ),
    encodings: list(params.encodings, `${field}.encodings`).map((e, i) =>
      encodingToMessage(e, `${field}.encodings[${i}]`),
    ),
  });
  if (params.mid !== undefined) m.mid = str(params.mid, `${field}.mid`);
  if (params.rtcp !== undefined) m.rtcp = rtcpToMessage(params.rtcp, `${field}.rtcp`);
  if (params.msid !== undefined) m.msid = str(params.msid, `${field}.msid`);
  return m;
}

/** Message → RtpParameters. */
export function rtpParametersFromMessage(
  m: pb.RtpParameters,
  field = 'rtpParameters',
): RtpParameters {
  const params: RtpParameters = {
    codecs: m.codecs.map((c, i) => codecParametersFromMessage(c, `${field}.codecs[${i}]`)),
    headerExtensions: m.headerExtensions.map((h, i) =>
      headerExtensionParametersFromMessage(h, `${field}.headerExtensions[${i}]`),
    ),
    encodings: m.encodings.map((e, i) => encodingFromMessage(e, `${field}.encodings[${i}]`)),
  };
  if (m.mid != null) params.mid = m.mid;
  if (m.rtcp != null) params.rtcp = rtcpFromMessage(m.rtcp);
  if (m.msid != null) params.msid = m.msid;
  return params;
}

/** Like {@link rtpParametersFromMessage} for a field that must be present. */
export function requiredRtpParametersFromMessage(
  m: pb.RtpParameters | null | undefined,
  field: string,
): RtpParameters {
  return rtpParametersFromMessage(present(m, field), field);
}

function codecParametersToMessage(codec: RtpCodecParameters, field: string): pb.RtpCodecParameters {
  const m = pb.RtpCodecParameters.create({
    mimeType: str(codec.mimeType, `${field}.mimeType`),
    payloadType: u32(codec.payloadType, `${field}.payloadType`),
    clockRate: u32(codec.clockRate, `${field}.clockRate`),
    parameters: parametersToMessage(codec.parameters, `${field}.parameters`),
    rtcpFeedback: list(codec.rtcpFeedback, `${field}.rtcpFeedback`).map((f, i) =>
      rtcpFeedbackToMessage(f, `${field}.rtcpFeedback[${i}]`),
    ),
  });
  if (codec.channels !== undefined) m.channels = u32(codec.channels, `${field}.channels`);
  return m;
}

function codecParametersFromMessage(m: pb.RtpCodecParameters, field: string): RtpCodecParameters {
  const codec: RtpCodecParameters = {
    mimeType: m.mimeType,
    payloadType: m.payloadType,
    clockRate: m.clockRate,
    parameters: parametersFromMessage(m.parameters, `${field}.parameters`),
    rtcpFeedback: m.rtcpFeedback.map(rtcpFeedbackFromMessage),
  };
  if (m.channels != null) codec.channels = m.channels;
  return codec;
}

function headerExtensionParametersToMessage(
  ext: RtpHeaderExtensionParameters,
  field: string,
): pb.RtpHeaderExtensionParameters {
  const m = pb.RtpHeaderExtensionParameters.create({
    uri: str(ext.uri, `${field}.uri`),
    id: u32(ext.id, `${field}.id`),
    parameters: parametersToMessage(ext.parameters, `${field}.parameters`),
  });
  if (ext.encrypt !== undefined) m.encrypt = bool(ext.encrypt, `${field}.encrypt`);
  return m;
}

function headerExtensionParametersFromMessage(
  m: pb.RtpHeaderExtensionParameters,
  field: string,
): RtpHeaderExtensionParameters {
  const ext: RtpHeaderExtensionParameters = {
    uri: m.uri,
    id: m.id,
    parameters: parametersFromMessage(m.parameters, `${field}.parameters`),
  };
  if (m.encrypt != null) ext.encrypt = m.encrypt;
  return ext;
}

function encodingToMessage(e: RtpEncodingParameters, field: string): pb.RtpEncodingParameters {
  const m = pb.RtpEncodingParameters.create({});
  if (e.ssrc !== undefined) m.ssrc = u32(e.ssrc, `${field}.ssrc`);
  if (e.rid !== undefined) m.rid = str(e.rid, `${field}.rid`);
  if (e.codecPayloadType !== undefined)
    m.codecPayloadType = u32(e.codecPayloadType, `${field}.codecPayloadType`);
  if (e.rtx !== undefined)
    m.rtx = pb.RtxParameters.create({ ssrc: u32(e.rtx?.ssrc, `${field}.rtx.ssrc`) });
  if (e.dtx !== undefined) m.dtx = bool(e.dtx, `${field}.dtx`);
  if (e.scalabilityMode !== undefined)
    m.scalabilityMode = str(e.scalabilityMode, `${field}.scalabilityMode`);
  if (e.scaleResolutionDownBy !== undefined)
    m.scaleResolutionDownBy = num(e.scaleResolutionDownBy, `${field}.scaleResolutionDownBy`);
  if (e.maxBitrate !== undefined) m.maxBitrate = u32(e.maxBitrate, `${field}.maxBitrate`);
  if (e.maxFramerate !== undefined) m.maxFramerate = num(e.maxFramerate, `${field}.maxFramerate`);
  if (e.adaptivePtime !== undefined)
    m.adaptivePtime = bool(e.adaptivePtime, `${field}.adaptivePtime`);
  if (e.priority !== undefined) m.priority = priority.toMessage(e.priority, `${field}.priority`);
  if (e.networkPriority !== undefined)
    m.networkPriority = priority.toMessage(e.networkPriority, `${field}.networkPriority`);
  if (e.active !== undefined) m.active = bool(e.active, `${field}.active`);
  return m;
}

function encodingFromMessage(m: pb.RtpEncodingParameters, field: string): RtpEncodingParameters {
  const e: RtpEncodingParameters = {};
  if (m.ssrc != null) e.ssrc = m.ssrc;
  if (m.rid != null) e.rid = m.rid;
  if (m.codecPayloadType != null) e.codecPayloadType = m.codecPayloadType;
  if (m.rtx != null) e.rtx = { ssrc: m.rtx.ssrc };
  if (m.dtx != null) e.dtx = m.dtx;
  if (m.scalabilityMode != null) e.scalabilityMode = m.scalabilityMode;
  if (m.scaleResolutionDownBy != null) e.scaleResolutionDownBy = m.scaleResolutionDownBy;
  if (m.maxBitrate != null) e.maxBitrate = m.maxBitrate;
  if (m.maxFramerate != null) e.maxFramerate = m.maxFramerate;
  if (m.adaptivePtime != null) e.adaptivePtime = m.adaptivePtime;
  if (m.priority != null) e.priority = priority.fromMessage(m.priority, `${field}.priority`);
  if (m.networkPriority != null)
    e.networkPriority = priority.fromMessage(m.networkPriority, `${field}.networkPriority`);
  if (m.active != null) e.active = m.active;
  return e;
}

function rtcpToMessage(r: RtcpParameters, field: string): pb.RtcpParameters {
  const m = pb.RtcpParameters.create({});
  if (r.cname !== undefined) m.cname = str(r.cname, `${field}.cname`);
  if (r.reducedSize !== undefined) m.reducedSize = bool(r.reducedSize, `${field}.reducedSize`);
  if (r.mux !== undefined) m.mux = bool(r.mux, `${field}.mux`);
  return m;
}

function rtcpFromMessage(m: pb.RtcpParameters): RtcpParameters {
  const r: RtcpParameters = {};
  if (m.cname != null) r.cname = m.cname;
  if (m.reducedSize != null) r.reducedSize = m.reducedSize;
  if (m.mux != null) r.mux = m.mux;
  return r;
}
