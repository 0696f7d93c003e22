// The content of the typical messages, as the application has it (mediasoup
// shapes): a room of 20 peers with an audio and a video consumer each, a
// transport's ICE/DTLS parameters, a simulcast producer's stats. Both
// protocols encode exactly this content.
import type { AppData, IceCandidate, Profile, RtcStats, RtpParameters } from '@x/protocol';

export interface AppConsumer {
  id: number;
  kind: 'audio' | 'video';
  peerName: string;
  rtpParameters: RtpParameters;
  paused: boolean;
  preferredProfile: Profile;
  effectiveProfile: Profile;
  appData: AppData;
  simulcast: boolean;
}

export interface AppPeer {
  name: string;
  appData: AppData;
  consumers: AppConsumer[];
}

export interface AppTransport {
  iceParameters: { usernameFragment: string; password: string; iceLite: boolean };
  iceCandidates: IceCandidate[];
  dtlsParameters: {
    role: 'auto';
    fingerprints: { algorithm: string; value: string }[];
  };
}

/** A consumer's RTP parameters as mediasoup 3 makes them for a WebRTC receiver. */
function consumerRtpParameters(kind: 'audio' | 'video', ssrc: number, mid: string): RtpParameters {
  const common = {
    mid,
    rtcp: { cname: `cname-${ssrc.toString(36)}`, reducedSize: true, mux: true },
  };
  if (kind === 'audio') {
    return {
      ...common,
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: 100,
          clockRate: 48000,
          channels: 2,
          parameters: { minptime: 10, useinbandfec: 1 },
          rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
        },
      ],
      headerExtensions: [
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} },
        {
          uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
          id: 4,
          encrypt: false,
          parameters: {},
        },
        {
          uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
          id: 10,
          encrypt: false,
          parameters: {},
        },
      ],
      encodings: [{ ssrc }],
    };
  }
  return {
    ...common,
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 101,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
          { type: 'goog-remb', parameter: '' },
          { type: 'transport-cc', parameter: '' },
        ],
      },
      {
        mimeType: 'video/rtx',
        payloadType: 102,
        clockRate: 90000,
        parameters: { apt: 101 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} },
      {
        uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
        id: 4,
        encrypt: false,
        parameters: {},
      },
      {
        uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
        id: 5,
        encrypt: false,
        parameters: {},
      },
      { uri: 'urn:3gpp:video-orientation', id: 11, encrypt: false, parameters: {} },
      { uri: 'urn:ietf:params:rtp-hdrext:toffset', id: 12, encrypt: false, parameters: {} },
    ],
    encodings: [{ ssrc, rtx: { ssrc: ssrc + 1 } }],
  };
}

/** 20 peers, each with an audio (mic) and a simulcast video (webcam) consumer. */
export function roomPeers(count = 20): AppPeer[] {
  const peers: AppPeer[] = [];
  for (let i = 0; i < count; i++) {
    const name = `peer-${i}-${(1e6 + i * 7919).toString(36)}`;
    const audio: AppConsumer = {
      id: 100_000_000 + i * 2,
      kind: 'audio',
      peerName: name,
      rtpParameters: consumerRtpParameters('audio', 200_000_000 + i * 10, '0'),
      paused: false,
      preferredProfile: 'default',
      effectiveProfile: 'default',
      appData: { source: 'mic' },
      simulcast: false,
    };
    const video: AppConsumer = {
      id: 100_000_001 + i * 2,
      kind: 'video',
      peerName: name,
      rtpParameters: consumerRtpParameters('video', 200_000_005 + i * 10, '1'),
      paused: i % 5 === 0,
      preferredProfile: 'high',
      effectiveProfile: 'medium',
      appData: { source: 'webcam' },
      simulcast: true,
    };
    peers.push({
      name,
      appData: {
        displayName: `Participant ${i}`,
        device: { flag: 'chrome', name: 'Chrome', version: '120.0.0.0' },
      },
      consumers: [audio, video],
    });
  }
  return peers;
}

function fingerprint(bytes: number, seed: number): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes; i++)
    parts.push(((seed * 31 + i * 17) % 256).toString(16).toUpperCase().padStart(2, '0'));
  return parts.join(':');
}

/** A WebRTC transport's server side as mediasoup 3 describes it (every fingerprint it offers). */
export function webRtcTransport(): AppTransport {
  return {
    iceParameters: {
      usernameFragment: 'h2v0fz2mrf6a7l3d',
      password: 'yv0h5hb4ul4d9dmdg1ex8fm1b2kgm1o4',
      iceLite: true,
    },
    iceCandidates: [
      {
        foundation: 'udpcandidate',
        priority: 1076302079,
        ip: '203.0.113.7',
        address: '203.0.113.7',
        protocol: 'udp',
        port: 40112,
        type: 'host',
      },
      {
        foundation: 'tcpcandidate',
        priority: 1076276479,
        ip: '203.0.113.7',
        address: '203.0.113.7',
        protocol: 'tcp',
        port: 40797,
        type: 'host',
        tcpType: 'passive',
      },
    ],
    dtlsParameters: {
      role: 'auto',
      fingerprints: [
        { algorithm: 'sha-1', value: fingerprint(20, 1) },
        { algorithm: 'sha-224', value: fingerprint(28, 2) },
        { algorithm: 'sha-256', value: fingerprint(32, 3) },
        { algorithm: 'sha-384', value: fingerprint(48, 4) },
        { algorithm: 'sha-512', value: fingerprint(64, 5) },
      ],
    },
  };
}

/** A simulcast producer's stats (three inbound-rtp streams), as mediasoup 3 reports them. */
export function producerStats(): RtcStats[] {
  return [0, 1, 2].map((layer) => ({
    type: 'inbound-rtp',
    timestamp: 1_700_000_000_000 + layer,
    ssrc: 4_029_101 + layer * 1000,
    rtxSsrc: 6_332_331 + layer * 1000,
    rid: `r${layer}`,
    kind: 'video',
    mimeType: 'video/VP8',
    packetsLost: 3 * layer,
    fractionLost: 0,
    packetsDiscarded: 0,
    packetsRetransmitted: 12,
    packetsRepaired: 4,
    nackCount: 5,
    nackPacketCount: 17,
    pliCount: 2,
    firCount: 0,
    score: 10,
    packetCount: 9000 * (layer + 1),
    byteCount: 9_876_543 * (layer + 1),
    bitrate: [100_000, 300_000, 1_450_000][layer]!,
    roundTripTime: 12.5,
    jitter: 12,
    bitrateByLayer: { [`${layer}.0`]: 100_000, [`${layer}.1`]: 150_000, [`${layer}.2`]: 200_000 },
  }));
}
