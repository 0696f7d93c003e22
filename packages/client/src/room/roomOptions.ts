import type { CloseReason as ProtocolCloseReason, RtpCapabilities } from '@x/protocol';
import type { types as msc } from 'mediasoup-client';

// The options of a room, and why the server may close it.

/** Why the server closed this client's peer ('unspecified' from a server that gave no reason). */
export type CloseReason = ProtocolCloseReason | 'unspecified';

/** Options of a {@link Room} (mediasoup-client v2's RoomOptions, plus the engine choice). */
export interface RoomOptions {
  /** The room's capabilities, when known: join skips `queryRoom`. */
  roomSettings?: {
    /** The room's RTP capabilities (what `queryRoom` answers). */
    rtpCapabilities: RtpCapabilities;
    /** Payload types of the codecs every peer must support (mediasoup v2: read by no one here). */
    mandatoryCodecPayloadTypes?: number[];
  };
  /** Time to wait for a response, in ms. Default 30000. */
  requestTimeout?: number;
  /**
   * Time a transport may take to connect (ICE and DTLS) once it starts, in
   * ms, before `transportfailed` ('timeout') is emitted. Default 15000.
   */
  transportConnectTimeout?: number;
  /**
   * How long a transport may stay `disconnected` (the browser hears nothing
   * on its path: a network change, a NAT binding lost) before ICE is
   * restarted, in ms. Default 2000. A transport that `failed` restarts at once.
   */
  iceRestartDelay?: number;
  /** WebRTC transport options sent to the server. Default {}. */
  transportOptions?: {
    /** Offer UDP candidates. Default true. */
    udp?: boolean;
    /** Offer TCP candidates. Default true. */
    tcp?: boolean;
    /** Prefer UDP. Default false. */
    preferUdp?: boolean;
    /** Prefer TCP. Default false. */
    preferTcp?: boolean;
  };
  /** TURN servers. Default []. */
  turnServers?: RTCIceServer[];
  /** ICE transport policy. Default 'all'. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Join as a spy: receive everything, be seen by no one, send nothing. Default false. */
  spy?: boolean;
  /**
   * Receive every other peer's DataChannels as they come (each
   * `DataConsumer` opens by itself). Default true; false: call
   * `dataConsumer.receive()` for those the app wants.
   */
  receiveData?: boolean;
  /** mediasoup-client handler name (default: detected from the browser). */
  handlerName?: msc.BuiltinHandlerName;
  /** mediasoup-client handler factory (e.g. `FakeHandler.createFactory(...)` in Node tests). */
  handlerFactory?: msc.HandlerFactory;
}

/** @internal The options of a room with their defaults. */
export type ResolvedRoomOptions = Required<
  Omit<RoomOptions, 'roomSettings' | 'handlerName' | 'handlerFactory'>
> &
  Pick<RoomOptions, 'roomSettings' | 'handlerName' | 'handlerFactory'>;

/** Options of {@link Room.join}. */
export interface JoinOptions {
  /** Access token for servers that require one. */
  token?: string;
}
