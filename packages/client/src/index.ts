/**
 * @x/client: mediasoup-client v2's Room API on mediasoup-client 3, speaking
 * the protobuf protocol of @x/protocol to an @x/server.
 *
 * @packageDocumentation
 * @module @x/client
 */

export type {
  AppData,
  JsonValue,
  MediaKind,
  Profile,
  RtcStats,
  RtpCapabilities,
  RtpParameters,
} from '@x/protocol';
export { Room } from './Room.js';
export { Consumer, type ConsumerEvents, type PreferredProfile } from './room/Consumer.js';
export {
  DataConsumer,
  type DataConsumerEvents,
} from './room/DataConsumer.js';
export {
  type DataMessageData,
  DataProducer,
  type DataProducerEvents,
  type DataProducerOptions,
} from './room/DataProducer.js';
export {
  DataMessageTooLargeError,
  InvalidStateError,
  RequestError,
  type ServerErrorCode,
  TimeoutError,
  TransportFailedError,
  type TransportFailure,
  UnsupportedError,
} from './room/errors.js';
export { type Originator, Peer, type PeerEvents } from './room/Peer.js';
export {
  DEFAULT_SIMULCAST_OPTIONS,
  Producer,
  type ProducerEvents,
  type ProducerOptions,
  type SimulcastOptions,
} from './room/Producer.js';
export type { RoomMember } from './room/RoomMember.js';
export type { CloseReason, JoinOptions, RoomOptions } from './room/roomOptions.js';
export type {
  AudioLevelData,
  RecordingState,
  StatsTarget,
  WebRtcTransportOptions,
} from './room/Signal.js';
export {
  type ConnectionState as TransportConnectionState,
  Transport,
  type TransportEvents,
} from './room/Transport.js';
export type { RoomEvents } from './roomEvents.js';
export {
  DEFAULT_RECONNECT_DELAYS,
  DefaultReconnectPolicy,
  type ReconnectContext,
  type ReconnectPolicy,
  type ReconnectReason,
} from './signaling/ReconnectPolicy.js';
export {
  type ConnectableRoom,
  type ConnectionState,
  type ConnectOptions,
  connect,
  type RoomCloseObserver,
  RoomConnection,
  type RoomConnectionEvents,
  type WebSocketClass,
} from './signaling/RoomConnection.js';
