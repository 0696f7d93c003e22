/**
 * @x/protocol: the signaling protocol between @x/client and @x/server.
 *
 * - {@link pb}: the generated protobuf classes of `x.signaling.v1`.
 * - Framing: {@link encodeClientMessage}, {@link decodeClientMessage},
 *   {@link encodeServerMessage}, {@link decodeServerMessage}; bad frames throw
 *   {@link ProtocolError}.
 * - Conversions between the messages and the mediasoup / mediasoup-client
 *   types (`rtpParametersToMessage`, `rtpParametersFromMessage`, …).
 *
 * @packageDocumentation
 * @module @x/protocol
 */

export {
  closeReason,
  dtlsRole,
  type EnumMapping,
  headerExtensionDirection,
  iceCandidateType,
  iceTcpType,
  mediaKind,
  priority,
  profile,
  transportDirection,
  transportProtocol,
} from './enums.js';
export type {
  ClientNotification,
  ClientRequest,
  ServerNotification,
  ServerResponse,
} from './envelopes.js';
export { type ErrorCodeName, errorCodeName, errorCodeValue } from './errorCodes.js';
export {
  type ClientMessageInit,
  DEFAULT_MAX_FRAME_SIZE,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  type FramingOptions,
  type ServerMessageInit,
} from './framing.js';
export { jsonFromMessage, jsonToMessage, MAX_JSON_DEPTH, optionalJsonToMessage } from './json.js';
export { pb } from './messages.js';
export { ProtocolError, type ProtocolErrorCode } from './ProtocolError.js';
export {
  parametersFromMessage,
  parametersToMessage,
  requiredRtpParametersFromMessage,
  rtpCapabilitiesFromMessage,
  rtpCapabilitiesToMessage,
  rtpParametersFromMessage,
  rtpParametersToMessage,
} from './rtp.js';
export {
  type StatsToMessageOptions,
  statsFromMessage,
  statsListFromMessage,
  statsListToMessage,
  statsToMessage,
} from './stats.js';
export {
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  iceCandidateFromMessage,
  iceCandidateToMessage,
  iceParametersFromMessage,
  iceParametersToMessage,
  plainRtpParametersFromMessage,
  plainRtpParametersToMessage,
  sctpCapabilitiesFromMessage,
  sctpCapabilitiesToMessage,
  sctpParametersFromMessage,
  sctpParametersToMessage,
  sctpStreamParametersFromMessage,
  sctpStreamParametersToMessage,
  transportTupleFromMessage,
  transportTupleToMessage,
} from './transport.js';
export type * from './types.js';
export { isCompatibleProtocolVersion, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION } from './version.js';
