import { bool, type Field, list, memberPath, num, Path, present, str, u32 } from './check.js';
import { headerExtensionDirection, mediaKind, priority } from './enums.js';
import { jsonFromMessageAt, jsonToMessageAt, setMember } from './json.js';
import type { pb } from './messages.js';
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
//
// They run for every consumer a client enables and every peer that joins, so
// they are written for speed: messages are plain objects of the message's
// shape (what the encoders take, and cheaper to build than instances), loops
// are plain loops, and the path of a value (`rtpParameters.codecs[0].clockRate`)
// is only spelt out when an error needs it (a list element gets a `Path`).

/** RtpCapabilities → message. */
export function rtpCapabilitiesToMessage(
  caps: RtpCapabilities,
  field = 'rtpCapabilities',
): pb.RtpCapabilities {
  const m = {
    codecs: [] as pb.RtpCodecCapability[],
    headerExtensions: [] as pb.RtpHeaderExtension[],
  };
  const codecs = list(caps.codecs, field, 'codecs');
  for (let i = 0; i < codecs.length; i++)
    m.codecs.push(codecCapabilityToMessage(codecs[i]!, `${field}.codecs[${i}]`));
  const headerExtensions = list(caps.headerExtensions, field, 'headerExtensions');
  for (let i = 0; i < headerExtensions.length; i++) {
    m.headerExtensions.push(
      headerExtensionToMessage(headerExtensions[i]!, `${field}.headerExtensions[${i}]`),
    );
  }
  return m as pb.RtpCapabilities;
}

/** Message → RtpCapabilities. */
export function rtpCapabilitiesFromMessage(
  message: pb.RtpCapabilities,
  field = 'rtpCapabilities',
): RtpCapabilities {
  const codecs: RtpCodecCapability[] = [];
  const headerExtensions: RtpHeaderExtension[] = [];
  const mc = message.codecs ?? [];
  for (let i = 0; i < mc.length; i++)
    codecs.push(codecCapabilityFromMessage(mc[i]!, `${field}.codecs[${i}]`));
  const mh = message.headerExtensions ?? [];
  for (let i = 0; i < mh.length; i++)
    headerExtensions.push(headerExtensionFromMessage(mh[i]!, `${field}.headerExtensions[${i}]`));
  return { codecs, headerExtensions };
}

function codecCapabilityToMessage(codec: RtpCodecCapability, field: string): pb.RtpCodecCapability {
  const m: pb.RtpCodecCapability.$Properties = {
    kind: mediaKind.toMessage(codec.kind, field, 'kind'),
    mimeType: str(codec.mimeType, field, 'mimeType'),
    clockRate: u32(codec.clockRate, field, 'clockRate'),
    parameters: parametersAt(codec.parameters, field, 'parameters'),
    rtcpFeedback: rtcpFeedbackListToMessage(codec.rtcpFeedback, field),
  };
  if (codec.preferredPayloadType !== undefined)
    m.preferredPayloadType = u32(codec.preferredPayloadType, field, 'preferredPayloadType');
  if (codec.channels !== undefined) m.channels = u32(codec.channels, field, 'channels');
  return m as pb.RtpCodecCapability;
}

function codecCapabilityFromMessage(m: pb.RtpCodecCapability, field: string): RtpCodecCapability {
  const codec: RtpCodecCapability = {
    kind: mediaKind.fromMessage(m.kind, field, 'kind'),
    mimeType: m.mimeType,
    clockRate: m.clockRate,
    parameters: parametersFrom(m.parameters, field, 'parameters'),
    rtcpFeedback: rtcpFeedbackListFromMessage(m.rtcpFeedback),
  };
  if (m.preferredPayloadType != null) codec.preferredPayloadType = m.preferredPayloadType;
  if (m.channels != null) codec.channels = m.channels;
  return codec;
}

function headerExtensionToMessage(ext: RtpHeaderExtension, field: string): pb.RtpHeaderExtension {
  const m: pb.RtpHeaderExtension.$Properties = {
    kind: mediaKind.toMessage(ext.kind, field, 'kind'),
    uri: str(ext.uri, field, 'uri'),
    preferredId: u32(ext.preferredId, field, 'preferredId'),
  };
  if (ext.preferredEncrypt !== undefined)
    m.preferredEncrypt = bool(ext.preferredEncrypt, field, 'preferredEncrypt');
  if (ext.direction !== undefined)
    m.direction = headerExtensionDirection.toMessage(ext.direction, field, 'direction');
  return m as pb.RtpHeaderExtension;
}

function headerExtensionFromMessage(m: pb.RtpHeaderExtension, field: string): RtpHeaderExtension {
  const ext: RtpHeaderExtension = {
    kind: mediaKind.fromMessage(m.kind, field, 'kind'),
    uri: m.uri,
    preferredId: m.preferredId,
  };
  if (m.preferredEncrypt != null) ext.preferredEncrypt = m.preferredEncrypt;
  if (m.direction != null)
    ext.direction = headerExtensionDirection.fromMessage(m.direction, field, 'direction');
  return ext;
}

/** Codec or header-extension parameters → messages, each value keeping its type. */
export function parametersToMessage(
  parameters: Parameters | undefined,
  field: string,
): pb.Parameter[] {
  return parametersAt(parameters, field, undefined);
}

function parametersAt(
  parameters: Parameters | undefined,
  field: Field,
  member: string | undefined,
): pb.Parameter[] {
  const out: pb.Parameter[] = [];
  if (parameters === undefined || parameters === null) return out;
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    const at = memberPath(field, member);
    throw new ProtocolError('INVALID_FIELD', `${at} must be an object`, { field: at });
  }
  const names = Object.keys(parameters);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = parameters[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push({ name, stringValue: value } as pb.Parameter);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) num(value, memberPath(field, member), name);
      out.push({ name, numberValue: value } as pb.Parameter);
    } else {
      out.push({
        name,
        jsonValue: jsonToMessageAt(value, memberPath(field, member), name),
      } as pb.Parameter);
    }
  }
  return out;
}

/** Messages → codec or header-extension parameters. */
export function parametersFromMessage(parameters: pb.Parameter[], field: string): Parameters {
  return parametersFrom(parameters, field, undefined);
}

// The value fields are read directly, not through the `value` oneof getter
// (which lists the message's keys on every call): a decoded parameter holds
// one of them at most, the decoder clears the others.
function parametersFrom(
  parameters: pb.Parameter[] | null | undefined,
  field: Field,
  member: string | undefined,
): Parameters {
  const out: Parameters = {};
  if (parameters == null) return out;
  for (let i = 0; i < parameters.length; i++) {
    const p = parameters[i]!;
    const name = p.name;
    let value: unknown;
    if (p.jsonValue != null)
      value = jsonFromMessageAt(p.jsonValue, memberPath(field, member), name);
    else if (p.numberValue != null) value = p.numberValue;
    else if (p.stringValue != null) value = p.stringValue;
    else value = null;
    setMember(out, name, value);
  }
  return out;
}

function rtcpFeedbackListToMessage(
  feedback: RtcpFeedback[] | undefined,
  field: Field,
): pb.RtcpFeedback[] {
  const items = list(feedback, field, 'rtcpFeedback');
  const out: pb.RtcpFeedback[] = [];
  for (let i = 0; i < items.length; i++) {
    const fb = items[i]!;
    if (
      typeof fb.type !== 'string' ||
      (fb.parameter !== undefined && typeof fb.parameter !== 'string')
    ) {
      const at = memberPath(memberPath(field, 'rtcpFeedback'), i);
      str(fb.type, at, 'type');
      str(fb.parameter, at, 'parameter');
    }
    out.push(
      (fb.parameter === undefined
        ? { type: fb.type }
        : { type: fb.type, parameter: fb.parameter }) as pb.RtcpFeedback,
    );
  }
  return out;
}

function rtcpFeedbackListFromMessage(
  feedback: pb.RtcpFeedback[] | null | undefined,
): RtcpFeedback[] {
  const out: RtcpFeedback[] = [];
  if (feedback == null) return out;
  for (let i = 0; i < feedback.length; i++) {
    const m = feedback[i]!;
    out.push(m.parameter != null ? { type: m.type, parameter: m.parameter } : { type: m.type });
  }
  return out;
}

/** RtpParameters → message. */
export function rtpParametersToMessage(
  params: RtpParameters,
  field = 'rtpParameters',
): pb.RtpParameters {
  if (params === null || typeof params !== 'object') {
    throw new ProtocolError('INVALID_FIELD', `${field} must be an object`, { field });
  }
  const m: pb.RtpParameters.$Properties = {
    codecs: [] as pb.RtpCodecParameters[],
    headerExtensions: [] as pb.RtpHeaderExtensionParameters[],
    encodings: [] as pb.RtpEncodingParameters[],
  };
  const codecs = list(params.codecs, field, 'codecs');
  const codecsPath = new Path(field, 'codecs');
  for (let i = 0; i < codecs.length; i++)
    m.codecs!.push(codecParametersToMessage(codecs[i]!, new Path(codecsPath, i)));
  const headerExtensions = list(params.headerExtensions, field, 'headerExtensions');
  const extensionsPath = new Path(field, 'headerExtensions');
  for (let i = 0; i < headerExtensions.length; i++) {
    m.headerExtensions!.push(
      headerExtensionParametersToMessage(headerExtensions[i]!, new Path(extensionsPath, i)),
    );
  }
  const encodings = list(params.encodings, field, 'encodings');
  const encodingsPath = new Path(field, 'encodings');
  for (let i = 0; i < encodings.length; i++)
    m.encodings!.push(encodingToMessage(encodings[i]!, new Path(encodingsPath, i)));
  if (params.mid !== undefined) m.mid = str(params.mid, field, 'mid');
  if (params.rtcp !== undefined) m.rtcp = rtcpToMessage(params.rtcp, new Path(field, 'rtcp'));
  if (params.msid !== undefined) m.msid = str(params.msid, field, 'msid');
  return m as pb.RtpParameters;
}

/** Message → RtpParameters. */
export function rtpParametersFromMessage(
  m: pb.RtpParameters,
  field = 'rtpParameters',
): RtpParameters {
  const codecs: RtpCodecParameters[] = [];
  const headerExtensions: RtpHeaderExtensionParameters[] = [];
  const encodings: RtpEncodingParameters[] = [];
  const mc = m.codecs ?? [];
  const codecsPath = new Path(field, 'codecs');
  for (let i = 0; i < mc.length; i++)
    codecs.push(codecParametersFromMessage(mc[i]!, new Path(codecsPath, i)));
  const mh = m.headerExtensions ?? [];
  const extensionsPath = new Path(field, 'headerExtensions');
  for (let i = 0; i < mh.length; i++)
    headerExtensions.push(
      headerExtensionParametersFromMessage(mh[i]!, new Path(extensionsPath, i)),
    );
  const me = m.encodings ?? [];
  const encodingsPath = new Path(field, 'encodings');
  for (let i = 0; i < me.length; i++)
    encodings.push(encodingFromMessage(me[i]!, new Path(encodingsPath, i)));
  const params: RtpParameters = { codecs, headerExtensions, encodings };
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

function codecParametersToMessage(codec: RtpCodecParameters, field: Field): pb.RtpCodecParameters {
  const m: pb.RtpCodecParameters.$Properties = {
    mimeType: str(codec.mimeType, field, 'mimeType'),
    payloadType: u32(codec.payloadType, field, 'payloadType'),
    clockRate: u32(codec.clockRate, field, 'clockRate'),
    parameters: parametersAt(codec.parameters, field, 'parameters'),
    rtcpFeedback: rtcpFeedbackListToMessage(codec.rtcpFeedback, field),
  };
  if (codec.channels !== undefined) m.channels = u32(codec.channels, field, 'channels');
  return m as pb.RtpCodecParameters;
}

function codecParametersFromMessage(m: pb.RtpCodecParameters, field: Field): RtpCodecParameters {
  const codec: RtpCodecParameters = {
    mimeType: m.mimeType,
    payloadType: m.payloadType,
    clockRate: m.clockRate,
    parameters: parametersFrom(m.parameters, field, 'parameters'),
    rtcpFeedback: rtcpFeedbackListFromMessage(m.rtcpFeedback),
  };
  if (m.channels != null) codec.channels = m.channels;
  return codec;
}

function headerExtensionParametersToMessage(
  ext: RtpHeaderExtensionParameters,
  field: Field,
): pb.RtpHeaderExtensionParameters {
  const m: pb.RtpHeaderExtensionParameters.$Properties = {
    uri: str(ext.uri, field, 'uri'),
    id: u32(ext.id, field, 'id'),
    parameters: isEmpty(ext.parameters) ? [] : parametersAt(ext.parameters, field, 'parameters'),
  };
  if (ext.encrypt !== undefined) m.encrypt = bool(ext.encrypt, field, 'encrypt');
  return m as pb.RtpHeaderExtensionParameters;
}

function headerExtensionParametersFromMessage(
  m: pb.RtpHeaderExtensionParameters,
  field: Field,
): RtpHeaderExtensionParameters {
  const parameters = m.parameters;
  const ext: RtpHeaderExtensionParameters = {
    uri: m.uri,
    id: m.id,
    parameters:
      parameters == null || parameters.length === 0
        ? {}
        : parametersFrom(parameters, field, 'parameters'),
  };
  if (m.encrypt != null) ext.encrypt = m.encrypt;
  return ext;
}

function encodingToMessage(e: RtpEncodingParameters, field: Field): pb.RtpEncodingParameters {
  const m: pb.RtpEncodingParameters.$Properties = {};
  if (e.ssrc !== undefined) m.ssrc = u32(e.ssrc, field, 'ssrc');
  if (e.rid !== undefined) m.rid = str(e.rid, field, 'rid');
  if (e.codecPayloadType !== undefined)
    m.codecPayloadType = u32(e.codecPayloadType, field, 'codecPayloadType');
  if (e.rtx !== undefined) {
    const ssrc = e.rtx?.ssrc;
    m.rtx = { ssrc: isU32(ssrc) ? ssrc : u32(ssrc, memberPath(field, 'rtx'), 'ssrc') };
  }
  if (e.dtx !== undefined) m.dtx = bool(e.dtx, field, 'dtx');
  if (e.scalabilityMode !== undefined)
    m.scalabilityMode = str(e.scalabilityMode, field, 'scalabilityMode');
  if (e.scaleResolutionDownBy !== undefined)
    m.scaleResolutionDownBy = num(e.scaleResolutionDownBy, field, 'scaleResolutionDownBy');
  if (e.maxBitrate !== undefined) m.maxBitrate = u32(e.maxBitrate, field, 'maxBitrate');
  if (e.maxFramerate !== undefined) m.maxFramerate = num(e.maxFramerate, field, 'maxFramerate');
  if (e.adaptivePtime !== undefined)
    m.adaptivePtime = bool(e.adaptivePtime, field, 'adaptivePtime');
  if (e.priority !== undefined)
    m.priority = priority.toMessage(e.priority, String(field), 'priority');
  if (e.networkPriority !== undefined)
    m.networkPriority = priority.toMessage(e.networkPriority, String(field), 'networkPriority');
  if (e.active !== undefined) m.active = bool(e.active, field, 'active');
  return m as pb.RtpEncodingParameters;
}

function encodingFromMessage(m: pb.RtpEncodingParameters, field: Field): RtpEncodingParameters {
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
  if (m.priority != null) e.priority = priority.fromMessage(m.priority, String(field), 'priority');
  if (m.networkPriority != null)
    e.networkPriority = priority.fromMessage(m.networkPriority, String(field), 'networkPriority');
  if (m.active != null) e.active = m.active;
  return e;
}

function rtcpToMessage(r: RtcpParameters, field: Field): pb.RtcpParameters {
  const m: pb.RtcpParameters.$Properties = {};
  if (r.cname !== undefined) m.cname = str(r.cname, field, 'cname');
  if (r.reducedSize !== undefined) m.reducedSize = bool(r.reducedSize, field, 'reducedSize');
  if (r.mux !== undefined) m.mux = bool(r.mux, field, 'mux');
  return m as pb.RtcpParameters;
}

function rtcpFromMessage(m: pb.RtcpParameters): RtcpParameters {
  const r: RtcpParameters = {};
  if (m.cname != null) r.cname = m.cname;
  if (m.reducedSize != null) r.reducedSize = m.reducedSize;
  if (m.mux != null) r.mux = m.mux;
  return r;
}

function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

/** Whether parameters are absent or an empty plain object (nothing to convert, nothing to check). */
function isEmpty(parameters: Parameters | undefined): boolean {
  if (parameters === undefined || parameters === null) return true;
  if (typeof parameters !== 'object' || Array.isArray(parameters)) return false;
  for (const _ in parameters) return false;
  return true;
}
