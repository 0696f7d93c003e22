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
  /** Feedback type, e.g. `'nack'`, `'ccm'`, `'goog-remb'`, `'transport-cc'`. */
  type: string;
  /** Feedback parameter, e.g. `'pli'` or `'fir'` (may be empty). */
  parameter?: string;
}

/** Codec or header-extension parameters: values keep their type (number or string). */
export type Parameters = Record<string, unknown>;

/** A codec an endpoint can send or receive. */
export interface RtpCodecCapability {
  /** Media kind of the codec. */
  kind: MediaKind;
  /** MIME type, e.g. `'video/VP8'` or `'audio/opus'`. */
  mimeType: string;
  /** Payload type the endpoint prefers for this codec. */
  preferredPayloadType?: number;
  /** Clock rate in Hz. */
  clockRate: number;
  /** Number of audio channels (audio only). */
  channels?: number;
  /** Codec-specific parameters (fmtp). */
  parameters?: Parameters;
  /** Supported RTCP feedback mechanisms. */
  rtcpFeedback?: RtcpFeedback[];
}

/** Direction in which an RTP header extension is used. */
export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** An RTP header extension an endpoint supports. */
export interface RtpHeaderExtension {
  /** Media kind the extension applies to. */
  kind: MediaKind;
  /** URI of the extension. */
  uri: string;
  /** Id the endpoint prefers for the extension. */
  preferredId: number;
  /** Whether the endpoint prefers the extension encrypted. */
  preferredEncrypt?: boolean;
  /** Direction in which the extension is supported. */
  direction?: RtpHeaderExtensionDirection;
}

/** What an endpoint can send and receive. */
export interface RtpCapabilities {
  /** Supported codecs, RTX included. */
  codecs?: RtpCodecCapability[];
  /** Supported RTP header extensions. */
  headerExtensions?: RtpHeaderExtension[];
}

/** A codec in use in an RTP stream. */
export interface RtpCodecParameters {
  /** MIME type, e.g. `'video/VP8'`. */
  mimeType: string;
  /** Payload type. */
  payloadType: number;
  /** Clock rate in Hz. */
  clockRate: number;
  /** Number of audio channels (audio only). */
  channels?: number;
  /** Codec-specific parameters (fmtp). */
  parameters?: Parameters;
  /** RTCP feedback in use. */
  rtcpFeedback?: RtcpFeedback[];
}

/** A header extension in use in an RTP stream. */
export interface RtpHeaderExtensionParameters {
  /** URI of the extension. */
  uri: string;
  /** Extension id in the RTP packets. */
  id: number;
  /** Whether the extension is encrypted. */
  encrypt?: boolean;
  /** Extension parameters. */
  parameters?: Parameters;
}

/** Relative priority of an encoding. */
export type Priority = 'very-low' | 'low' | 'medium' | 'high';

/** One encoding (stream) of an RTP sender. */
export interface RtpEncodingParameters {
  /** SSRC of the stream. */
  ssrc?: number;
  /** RID of the stream (simulcast by RID). */
  rid?: string;
  /** Payload type of the codec this encoding uses. */
  codecPayloadType?: number;
  /** RTX stream of this encoding, if any: its SSRC. */
  rtx?: {
    /** SSRC of the RTX stream. */
    ssrc: number;
  };
  /** Discontinuous transmission (audio). */
  dtx?: boolean;
  /** Scalability mode, e.g. `'L1T3'` or `'S3T3'`. */
  scalabilityMode?: string;
  /** Factor by which the sender scales the video resolution down. */
  scaleResolutionDownBy?: number;
  /** Maximum bitrate in bits per second. */
  maxBitrate?: number;
  /** Maximum frame rate. */
  maxFramerate?: number;
  /** Adaptive packet time (audio). */
  adaptivePtime?: boolean;
  /** Bitrate priority. */
  priority?: Priority;
  /** Network (DSCP) priority. */
  networkPriority?: Priority;
  /** Whether the encoding is being sent. */
  active?: boolean;
}

/** RTCP parameters of an RTP stream. */
export interface RtcpParameters {
  /** CNAME of the sender. */
  cname?: string;
  /** Reduced-size RTCP (RFC 5506). */
  reducedSize?: boolean;
  /** RTCP multiplexed on the RTP port (RFC 5761). */
  mux?: boolean;
}

/** Parameters of an RTP stream: a producer's or a consumer's. */
export interface RtpParameters {
  /** MID of the m-section (WebRTC), if any. */
  mid?: string;
  /** Codecs in use, media codec first, then RTX and others. */
  codecs: RtpCodecParameters[];
  /** Header extensions in use. */
  headerExtensions?: RtpHeaderExtensionParameters[];
  /** Encodings: one per stream, several for simulcast. */
  encodings?: RtpEncodingParameters[];
  /** RTCP parameters. */
  rtcp?: RtcpParameters;
  /** MediaStream id and track id (`'stream-id track-id'`), as mediasoup-client sends it. */
  msid?: string;
}

/** ICE parameters of an endpoint. */
export interface IceParameters {
  /** ICE username fragment. */
  usernameFragment: string;
  /** ICE password. */
  password: string;
  /** Whether the endpoint is ICE Lite (the server always is). */
  iceLite?: boolean;
}

/** An ICE candidate. `address` is mediasoup-client's name for `ip`; both are set. */
export interface IceCandidate {
  /** Candidate foundation. */
  foundation: string;
  /** Candidate priority. */
  priority: number;
  /** IP address (mediasoup's name). */
  ip: string;
  /** IP address or host name (mediasoup-client's name). */
  address: string;
  /** Transport protocol. */
  protocol: 'udp' | 'tcp';
  /** Port. */
  port: number;
  /** Candidate type. */
  type: 'host' | 'srflx' | 'prflx' | 'relay';
  /** TCP type, for TCP candidates. */
  tcpType?: 'active' | 'passive' | 'so';
}

/** DTLS role. */
export type DtlsRole = 'auto' | 'client' | 'server';

/** A certificate fingerprint. */
export interface DtlsFingerprint {
  /** Hash algorithm, e.g. `'sha-256'`. */
  algorithm: string;
  /** Fingerprint: upper-case hex bytes separated by colons. */
  value: string;
}

/** DTLS parameters of an endpoint. */
export interface DtlsParameters {
  /** DTLS role. */
  role?: DtlsRole;
  /** Certificate fingerprints. */
  fingerprints: DtlsFingerprint[];
}

/** Numbers of SCTP streams. */
export interface NumSctpStreams {
  /** Outgoing streams. */
  OS: number;
  /** Maximum incoming streams. */
  MIS: number;
}

/** SCTP capabilities of a client. */
export interface SctpCapabilities {
  /** Numbers of streams the client supports. */
  numStreams: NumSctpStreams;
}

/** SCTP parameters of a server transport. */
export interface SctpParameters {
  /** SCTP port (5000 in WebRTC). */
  port: number;
  /** Outgoing streams. */
  OS: number;
  /** Maximum incoming streams. */
  MIS: number;
  /** Largest message the transport accepts, in bytes. */
  maxMessageSize: number;
}

/** One DataChannel's SCTP stream, and how reliably it delivers. */
export interface SctpStreamParameters {
  /** SCTP stream id. */
  streamId: number;
  /** Whether messages arrive in the order they were sent (default true). */
  ordered?: boolean;
  /** Partially reliable: a message is given up after this many ms. */
  maxPacketLifeTime?: number;
  /** Partially reliable: a message is given up after this many retransmissions. */
  maxRetransmits?: number;
}

/** Address of a plain RTP endpoint. */
export interface PlainRtpParameters {
  /** IP address. */
  ip: string;
  /** IP version of `ip`. */
  ipVersion: 4 | 6;
  /** RTP port (also RTCP when multiplexed). */
  port: number;
  /** RTCP port when RTCP is not multiplexed. */
  rtcpPort?: number;
}

/** Local and remote address of a transport. */
export interface TransportTuple {
  /** Local IP address. */
  localIp: string;
  /** Local port. */
  localPort: number;
  /** Remote IP address, once known. */
  remoteIp?: string;
  /** Remote port, once known. */
  remotePort?: number;
  /** Transport protocol. */
  protocol: 'udp' | 'tcp';
}

/**
 * One RTC stats object, as the server's engine reports it: `type` says which
 * members apply ("inbound-rtp", "outbound-rtp", "webrtc-transport", …).
 */
export interface RtcStats {
  /** Stats type: which other members apply. */
  type: string;
  /** When the stats were taken, in milliseconds. */
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
  | 'node_draining'
  | 'removed';
