/**
 * Engine-neutral TypeScript shapes of what the protocol carries: the RTP,
 * ICE, DTLS and SCTP types of mediasoup 3 and mediasoup-client 3, field for
 * field. Values produced by the conversions are accepted by both engines.
 */

/** Any JSON value: the application's own data (`appData`). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/** The application's own data attached to peers, transports, producers and consumers. */
export type AppData = JsonValue;

/** Audio or video. */
export type MediaKind = 'audio' | 'video';

/** An RTCP feedback mechanism. */
export interface RtcpFeedback {
  type: string;
  parameter?: string;
}

/** Codec or header-extension parameters: values keep their type (number or string). */
export type Parameters = Record<string, unknown>;

/** A codec an endpoint can send or receive. */
export interface RtpCodecCapability {
  kind: MediaKind;
  mimeType: string;
  preferredPayloadType?: number;
  clockRate: number;
  channels?: number;
  parameters?: Parameters;
  rtcpFeedback?: RtcpFeedback[];
}

/** Direction in which an RTP header extension is used. */
export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** An RTP header extension an endpoint supports. */
export interface RtpHeaderExtension {
  kind: MediaKind;
  uri: string;
  preferredId: number;
  preferredEncrypt?: boolean;
  direction?: RtpHeaderExtensionDirection;
}

/** What an endpoint can send and receive. */
export interface RtpCapabilities {
  codecs?: RtpCodecCapability[];
  headerExtensions?: RtpHeaderExtension[];
}

/** A codec in use in an RTP stream. */
export interface RtpCodecParameters {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Parameters;
  rtcpFeedback?: RtcpFeedback[];
}

/** A header extension in use in an RTP stream. */
export interface RtpHeaderExtensionParameters {
  uri: string;
  id: number;
  encrypt?: boolean;
  parameters?: Parameters;
}

/** Relative priority of an encoding. */
export type Priority = 'very-low' | 'low' | 'medium' | 'high';

/** One encoding (stream) of an RTP sender. */
export interface RtpEncodingParameters {
  ssrc?: number;
  rid?: string;
  codecPayloadType?: number;
  rtx?: { ssrc: number };
  dtx?: boolean;
  scalabilityMode?: string;
  scaleResolutionDownBy?: number;
  maxBitrate?: number;
  maxFramerate?: number;
  adaptivePtime?: boolean;
  priority?: Priority;
  networkPriority?: Priority;
  active?: boolean;
}

/** RTCP parameters of an RTP stream. */
export interface RtcpParameters {
  cname?: string;
  reducedSize?: boolean;
  mux?: boolean;
}

/** Parameters of an RTP stream: a producer's or a consumer's. */
export interface RtpParameters {
  mid?: string;
  codecs: RtpCodecParameters[];
  headerExtensions?: RtpHeaderExtensionParameters[];
  encodings?: RtpEncodingParameters[];
  rtcp?: RtcpParameters;
  msid?: string;
}

/** ICE parameters of an endpoint. */
export interface IceParameters {
  usernameFragment: string;
  password: string;
  iceLite?: boolean;
}

/** An ICE candidate. `address` is mediasoup-client's name for `ip`; both are set. */
export interface IceCandidate {
  foundation: string;
  priority: number;
  ip: string;
  address: string;
  protocol: 'udp' | 'tcp';
  port: number;
  type: 'host' | 'srflx' | 'prflx' | 'relay';
  tcpType?: 'active' | 'passive' | 'so';
}

/** DTLS role. */
export type DtlsRole = 'auto' | 'client' | 'server';

/** A certificate fingerprint. */
export interface DtlsFingerprint {
  algorithm: string;
  value: string;
}

/** DTLS parameters of an endpoint. */
export interface DtlsParameters {
  role?: DtlsRole;
  fingerprints: DtlsFingerprint[];
}

/** Numbers of SCTP streams. */
export interface NumSctpStreams {
  OS: number;
  MIS: number;
}

/** SCTP capabilities of a client. */
export interface SctpCapabilities {
  numStreams: NumSctpStreams;
}

/** SCTP parameters of a server transport. */
export interface SctpParameters {
  port: number;
  OS: number;
  MIS: number;
  maxMessageSize: number;
}

/** Address of a plain RTP endpoint. */
export interface PlainRtpParameters {
  ip: string;
  ipVersion: 4 | 6;
  port: number;
  rtcpPort?: number;
}

/** Local and remote address of a transport. */
export interface TransportTuple {
  localIp: string;
  localPort: number;
  remoteIp?: string;
  remotePort?: number;
  protocol: 'udp' | 'tcp';
}

/**
 * One RTC stats object, as the server's engine reports it: `type` says which
 * members apply ("inbound-rtp", "outbound-rtp", "webrtc-transport", …).
 */
export interface RtcStats {
  type: string;
  timestamp: number;
  [member: string]: unknown;
}

/** A simulcast profile (mediasoup v2 names); `'none'` only as an effective profile. */
export type Profile = 'default' | 'low' | 'medium' | 'high' | 'none';

/** Direction of a client transport. */
export type TransportDirection = 'send' | 'recv';

/** Why the server closed a peer, as its client is told. */
export type CloseReason =
  | 'peer_closed'
  | 'room_closed'
  | 'worker_died'
  | 'server_shutdown'
  | 'session_expired'
  | 'protocol_violation'
  | 'node_draining';
