/**
 * @x/server: a WebRTC SFU with mediasoup v2's Room API on the mediasoup 3
 * engine, speaking the protobuf protocol of @x/protocol.
 *
 * @packageDocumentation
 */

export type { CloseReason } from '@x/protocol';
export {
  ActiveSpeakerDetector,
  type ActiveSpeakerDetectorEvents,
} from './ActiveSpeakerDetector.js';
export {
  type AccessTokenClaims,
  type AccessTokenOptions,
  type Authorization,
  createAccessToken,
  verifyAccessToken,
} from './auth.js';
export { Consumer, type ConsumerEvents, type ConsumerOriginator } from './Consumer.js';
export { type ErrorCode, InvalidStateError, SfuError } from './errors.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { DEFAULT_MEDIA_CODECS, type RoomMediaCodec } from './mediaCodecs.js';
export { Peer, type PeerEvents, type PeerPermissions } from './Peer.js';
export { PlainRtpTransport, type PlainRtpTransportEvents } from './PlainRtpTransport.js';
export { type Originator, Producer, type ProducerEvents } from './Producer.js';
export type { PreferredProfile } from './profiles.js';
export {
  Recorder,
  type RecorderEvents,
  type RecorderOptions,
  type RecordingResult,
} from './Recorder.js';
export { type AudioLevel, type JoinOptions, Room, type RoomEvents } from './Room.js';
export { RtpIngest, type RtpIngestOptions } from './RtpIngest.js';
export { RtpStreamer, type RtpStreamerEvents, type RtpStreamerOptions } from './RtpStreamer.js';
export { type RoomOptions, Server, type ServerEvents, type ServerOptions } from './Server.js';
export type { LogLevel, ResolvedSettings, ServerSettings } from './ServerSettings.js';
export {
  type ConnectionInfo,
  type ConnectionSink,
  SignalingConnection,
} from './SignalingConnection.js';
export {
  type RoomFromUrlOptions,
  type RoomRequest,
  type RoomSelector,
  roomFromUrl,
  type SignalingOptions,
  SignalingServer,
} from './SignalingServer.js';
export { SignalingSession } from './SignalingSession.js';
export { rtpStreamerSdp, type SdpStream } from './sdp.js';
export { Transport, type TransportEvents } from './Transport.js';
export {
  type DtlsState,
  type IceState,
  WebRtcTransport,
  type WebRtcTransportEvents,
} from './WebRtcTransport.js';
export { WebSocketEndpoint, type WebSocketEndpointOptions } from './WebSocketEndpoint.js';
