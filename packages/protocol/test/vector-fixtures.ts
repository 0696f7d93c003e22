// The values the golden vectors are made of (capabilities, RTP parameters,
// DTLS, appData, a consumer, stats), shared by vector-sources.ts.
import {
  jsonToMessage,
  type RtcStats,
  type RtpCapabilities,
  type RtpParameters,
  statsListToMessage,
} from '../src/index.js';

export const AUDIO = 1;
export const VIDEO = 2;
export const SEND = 1;
export const RECV = 2;
export const PROFILE_DEFAULT = 1;
export const PROFILE_HIGH = 4;

export const routerCaps: RtpCapabilities = {
  codecs: [
    {
      kind: 'audio',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
      parameters: {},
      preferredPayloadType: 100,
    },
    {
      kind: 'video',
      mimeType: 'video/VP8',
      clockRate: 90000,
      rtcpFeedback: [
        { type: 'nack', parameter: '' },
        { type: 'nack', parameter: 'pli' },
        { type: 'ccm', parameter: 'fir' },
        { type: 'goog-remb', parameter: '' },
        { type: 'transport-cc', parameter: '' },
      ],
      parameters: {},
      preferredPayloadType: 101,
    },
    {
      kind: 'video',
      mimeType: 'video/rtx',
      preferredPayloadType: 102,
      clockRate: 90000,
      parameters: { apt: 101 },
      rtcpFeedback: [],
    },
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      parameters: {
        'packetization-mode': 1,
        'profile-level-id': '42e01f',
        'level-asymmetry-allowed': 1,
      },
      rtcpFeedback: [
        { type: 'nack', parameter: '' },
        { type: 'nack', parameter: 'pli' },
      ],
      preferredPayloadType: 103,
    },
    {
      kind: 'video',
      mimeType: 'video/rtx',
      preferredPayloadType: 104,
      clockRate: 90000,
      parameters: { apt: 103 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [
    {
      kind: 'audio',
      uri: 'urn:ietf:params:rtp-hdrext:sdes:mid',
      preferredId: 1,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
      preferredId: 2,
      preferredEncrypt: false,
      direction: 'recvonly',
    },
    {
      kind: 'audio',
      uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
      preferredId: 10,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
  ],
};

export const simulcast: RtpParameters = {
  mid: '1',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      parameters: {},
      rtcpFeedback: [
        { type: 'goog-remb', parameter: '' },
        { type: 'nack', parameter: 'pli' },
      ],
    },
    {
      mimeType: 'video/rtx',
      payloadType: 97,
      clockRate: 90000,
      parameters: { apt: 96 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} },
  ],
  encodings: [
    {
      active: true,
      maxBitrate: 100000,
      ssrc: 9540999,
      rtx: { ssrc: 46891 },
      dtx: false,
      scaleResolutionDownBy: 4,
    },
    {
      active: true,
      maxBitrate: 300000,
      ssrc: 2389635,
      rtx: { ssrc: 8707239 },
      dtx: false,
      scaleResolutionDownBy: 2,
    },
    {
      active: true,
      maxBitrate: 1500000,
      ssrc: 4029101,
      rtx: { ssrc: 6332331 },
      dtx: false,
      scaleResolutionDownBy: 1,
    },
  ],
  rtcp: { cname: 'CNAME-4740158', reducedSize: true, mux: true },
  msid: '5577631 e768dbcf-d9b0-4e2f-ba59-73032b703b4e',
};

export const consumerParams: RtpParameters = {
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { minptime: 10, useinbandfec: 1 },
      rtcpFeedback: [],
    },
  ],
  headerExtensions: [
    { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10, parameters: {} },
  ],
  encodings: [{ ssrc: 123456789 }],
  rtcp: { cname: 'peer-cname', reducedSize: true, mux: true },
  mid: '0',
};

export const dtls = {
  role: 'auto' as const,
  fingerprints: [
    {
      algorithm: 'sha-256',
      value:
        'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99',
    },
  ],
};
export const appData = jsonToMessage({
  displayName: 'Alice ✓',
  device: { camera: true, mic: false },
  volume: 0.75,
  tags: ['host', null],
});
export const consumer = {
  id: 3141592653,
  kind: VIDEO,
  peerName: 'bob',
  paused: false,
  preferredProfile: PROFILE_HIGH,
  effectiveProfile: PROFILE_DEFAULT,
  appData: jsonToMessage({ source: 'webcam' }),
  supported: true,
  simulcast: true,
};
export const statsObjects: RtcStats[] = [
  {
    type: 'inbound-rtp',
    timestamp: 1700000000000,
    ssrc: 4029101,
    kind: 'video',
    mimeType: 'video/VP8',
    packetsLost: 3,
    fractionLost: 0,
    packetCount: 9000,
    byteCount: 9876543,
    bitrate: 1450000,
    score: 10,
    jitter: 12,
    nackCount: 1,
    pliCount: 2,
    firCount: 0,
    // Three temporal layers (VP8 L1T3): mediasoup names them "<spatial>.<temporal>".
    bitrateByLayer: { '0.0': 100000, '0.1': 150000, '0.2': 200000 },
  },
];
export const stats = statsListToMessage(statsObjects);
// As a server sends them to a client of protocol version 1 (members typed
// since version 2 in `extra`): the bytes version 1 sent.
export const statsV1 = statsListToMessage(statsObjects, 'stats', { protocolVersion: 1 });
