/**
 * @x/server: a WebRTC SFU with mediasoup v2's Room API on the mediasoup 3
 * engine, speaking the protobuf protocol of @x/protocol.
 *
 * @packageDocumentation
 * @module @x/server
 */

export type { CloseReason } from '@x/protocol';
export { Cluster, type ClusterEvents, type DrainOptions } from './cluster/Cluster.js';
export type { ClusterOptions, RedisSentinels, ResolvedClusterOptions } from './cluster/options.js';
export { RemotePeer } from './cluster/RemotePeer.js';
export type { NodeInfo } from './cluster/records.js';
export {
  ConfigError,
  loadConfig,
  parseConfig,
  type ServerConfig,
} from './command/config.js';
export { type Readiness, ServerCommand, SIGNALING_PATH } from './command/ServerCommand.js';
export {
  ActiveSpeakerDetector,
  type ActiveSpeakerDetectorEvents,
} from './media/ActiveSpeakerDetector.js';
export type { AudioLevel } from './media/AudioLevels.js';
export {
  Consumer,
  type ConsumerEvents,
  type ConsumerObserverEvents,
  type ConsumerOriginator,
} from './media/Consumer.js';
export { DataConsumer, type DataConsumerEvents } from './media/DataConsumer.js';
export { DataProducer, type DataProducerEvents } from './media/DataProducer.js';
export { DEFAULT_MEDIA_CODECS, type RoomMediaCodec } from './media/mediaCodecs.js';
export {
  Peer,
  type PeerClosing,
  type PeerEvents,
  type PeerObserverEvents,
  type PeerPermissions,
} from './media/Peer.js';
export type { ClientPlainRtpOptions } from './media/PlainRtpPolicy.js';
export { PlainRtpTransport, type PlainRtpTransportEvents } from './media/PlainRtpTransport.js';
export {
  type Originator,
  Producer,
  type ProducerEvents,
  type ProducerObserverEvents,
} from './media/Producer.js';
export type {
  EnableConsumerOptions,
  PlainRtpTransportOptions,
  ProduceDataOptions,
  ProduceOptions,
  WebRtcTransportOptions,
} from './media/peerOptions.js';
export type { PreferredProfile } from './media/profiles.js';
export { type PeerJoin, Room, type RoomEvents, type RoomObserverEvents } from './media/Room.js';
export type { RoomMember, RoomMemberEvents } from './media/RoomMember.js';
export { RtpIngest, type RtpIngestOptions } from './media/RtpIngest.js';
export {
  RtpStreamer,
  type RtpStreamerEvents,
  type RtpStreamerOptions,
} from './media/RtpStreamer.js';
export type {
  DataMessage,
  JoinOptions,
  RecordingState,
  ServerDataMessage,
} from './media/roomTypes.js';
export type {
  LogLevel,
  ResolvedSettings,
  ResolvedWebRtcServer,
  ServerSettings,
  WebRtcServerSettings,
} from './media/ServerSettings.js';
export { rtpStreamerSdp, type SdpStream } from './media/sdp.js';
export { Transport, type TransportEvents } from './media/Transport.js';
export type { TransportRef, TransportType } from './media/TransportRef.js';
export {
  type DtlsState,
  type IceState,
  WebRtcTransport,
  type WebRtcTransportEvents,
} from './media/WebRtcTransport.js';
export type { WorkerLoad } from './media/WorkerPool.js';
export { ADMIN_API_PREFIX, AdminApi } from './ops/AdminApi.js';
export {
  AdminApiError,
  type PeerSummary,
  type ProducerSummary,
  RoomServiceClient,
  type RoomServiceClientOptions,
  type RoomSummary,
} from './ops/RoomServiceClient.js';
export { type MetricsSources, ServerMetrics } from './ops/ServerMetrics.js';
export { watchServerForWebhooks } from './ops/ServerWebhooks.js';
export { type WebhookCounts, type WebhookOptions, WebhookSender } from './ops/WebhookSender.js';
export {
  signWebhook,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TOLERANCE_SECONDS,
  type WebhookEvent,
  type WebhookEventName,
  WebhookVerificationError,
} from './ops/webhookSignature.js';
export {
  type RecordedStream,
  Recorder,
  type RecorderEvents,
  type RecorderOptions,
  type RecordingEndReason,
  type RecordingResult,
} from './rtp/Recorder.js';
export { type RoomOptions, Server, type ServerEvents, type ServerOptions } from './Server.js';
export {
  type AccessTokenClaims,
  type AccessTokenOptions,
  type Authorization,
  createAccessToken,
  createAdminToken,
  verifyAccessToken,
  verifyAdminToken,
} from './signaling/auth.js';
export type { PingSettings } from './signaling/RoomRequests.js';
export {
  CLOSE_CODES,
  type ConnectionInfo,
  type ConnectionSink,
  SignalingConnection,
} from './signaling/SignalingConnection.js';
export {
  type AuthOptions,
  type RoomFromUrlOptions,
  type RoomHost,
  type RoomRequest,
  type RoomSelector,
  type RoomSpec,
  roomFromUrl,
  type SignalingOptions,
  SignalingServer,
  type SignalingServerEvents,
} from './signaling/SignalingServer.js';
export { type SessionConnection, SignalingSession } from './signaling/SignalingSession.js';
export type { IceServer, TurnOptions } from './signaling/turn.js';
export { WebSocketEndpoint, type WebSocketEndpointOptions } from './signaling/WebSocketEndpoint.js';
export { type ErrorCode, InvalidStateError, SfuError, WorkerStartError } from './util/errors.js';
export { DEFAULT_LIMITS, type Limits } from './util/limits.js';
