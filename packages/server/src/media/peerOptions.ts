import type { types as ms } from '@x/mediasoup';
import type {
  AppData,
  DtlsParameters,
  MediaKind,
  RtpParameters,
  SctpStreamParameters,
  TransportDirection,
} from '@x/protocol';
import type { PreferredProfile } from './profiles.js';

// What a client asks of its peer, in domain terms: the signaling layer
// converts each request into one of these.

/** Options of {@link Peer.createWebRtcTransport}. */
export interface WebRtcTransportOptions {
  /** Transport id, chosen by the client (unique among the peer's transports). */
  id: number;
  /** 'send' to produce on it, 'recv' to consume. */
  direction: TransportDirection;
  /** Offer UDP candidates. Default true. */
  udp?: boolean;
  /** Offer TCP candidates. Default true. */
  tcp?: boolean;
  /** Prefer UDP. Default false. */
  preferUdp?: boolean;
  /** Prefer TCP. Default false. */
  preferTcp?: boolean;
  /** Enable SCTP (data channels) with these stream counts. */
  numSctpStreams?: {
    /** Outgoing streams. */
    OS: number;
    /** Maximum incoming streams. */
    MIS: number;
  };
  /** The client's DTLS parameters, when known now: the transport connects at once. */
  dtlsParameters?: DtlsParameters;
  /** The app's data about the transport. */
  appData?: AppData;
}

/** Options of {@link Peer.createPlainRtpTransport}. */
export interface PlainRtpTransportOptions {
  /** Transport id (unique among the peer's transports). */
  id: number;
  /** 'send' to produce on it, 'recv' to consume. */
  direction: TransportDirection;
  /** Where RTP (and RTCP) go; absent with `comedia`, which learns it from the first packet. */
  remote?: {
    /** IP address RTP is sent to. */
    ip: string;
    /** Port RTP is sent to. */
    port: number;
    /** Port RTCP is sent to without `rtcpMux`. */
    rtcpPort?: number;
  };
  /** IP family of the local address, when no `listenIp` is given. Default 4. */
  ipFamily?: 4 | 6;
  /** RTCP on the RTP port. Default true. */
  rtcpMux?: boolean;
  /** Learn the remote address from the first packet received. Default false. */
  comedia?: boolean;
  /** Local address (default: the server's RTC address of `ipFamily`). */
  listenIp?: ms.TransportListenIp;
  /** The app's data about the transport. */
  appData?: AppData;
}

/** Options of {@link Peer.produce}. */
export interface ProduceOptions {
  /** Producer id, chosen by the client (unique among the peer's producers). */
  id: number;
  /** The send transport it arrives on. */
  transportId: number;
  /** Media kind. */
  kind: MediaKind;
  /** What the client sends. */
  rtpParameters: RtpParameters;
  /** Start paused. Default false. */
  paused?: boolean;
  /** The app's data about the producer (its consumers carry it). */
  appData?: AppData;
}

/** Options of {@link Peer.enableConsumer}. */
export interface EnableConsumerOptions {
  /** The client keeps it paused. Default false. */
  paused?: boolean;
  /** The simulcast profile it prefers. */
  preferredProfile?: PreferredProfile;
}

/** A data producer a peer's client creates (`peer.produceData()`). */
export interface ProduceDataOptions {
  /** Data producer id, unique among the peer's data producers. */
  id: number;
  /** The send transport (with SCTP) it goes on. */
  transportId: number;
  /** Its SCTP stream, as the client's DataChannel has it. */
  sctpStreamParameters: SctpStreamParameters;
  /** The channel's label. */
  label?: string;
  /** The channel's subprotocol. */
  protocol?: string;
  /** The app's data about it, given to its consumers. */
  appData?: AppData;
}
