/**
 * @x/client: mediasoup-client v2's Room API on mediasoup-client 3, speaking
 * the protobuf protocol of @x/protocol to an @x/server.
 *
 * @packageDocumentation
 * @module @x/client
 */

import { installSignal } from './Signal.js';
import { SignalClient } from './signaling/SignalClient.js';

// The composition root: rooms (domain) reach the server through the protobuf
// signal (src/signaling), which the domain files never import.
installSignal((options) => new SignalClient(options));

export type {
  AppData,
  JsonValue,
  MediaKind,
  Profile,
  RtcStats,
  RtpCapabilities,
  RtpParameters,
} from '@x/protocol';
export { Consumer, type ConsumerEvents, type PreferredProfile } from './Consumer.js';
export {
  InvalidStateError,
  RequestError,
  type ServerErrorCode,
  TimeoutError,
  TransportFailedError,
  type TransportFailure,
  UnsupportedError,
} from './errors.js';
export { type Originator, Peer, type PeerEvents } from './Peer.js';
export {
  DEFAULT_SIMULCAST_OPTIONS,
  Producer,
  type ProducerEvents,
  type ProducerOptions,
  type SimulcastOptions,
} from './Producer.js';
export { Room } from './Room.js';
export type { CloseReason, JoinOptions, RoomEvents, RoomOptions } from './roomTypes.js';
export type {
  AudioLevelData,
  RecordingState,
  StatsTarget,
  WebRtcTransportOptions,
} from './Signal.js';
export {
  type ConnectionState,
  type ConnectOptions,
  connect,
  RoomConnection,
  type RoomConnectionEvents,
  type WebSocketClass,
} from './signaling/RoomConnection.js';
export {
  type ConnectionState as TransportConnectionState,
  Transport,
  type TransportEvents,
} from './Transport.js';
