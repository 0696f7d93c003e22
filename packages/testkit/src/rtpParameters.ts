// RTP parameters a browser could send, for producers created over the wire
// without a browser (opus; VP8 with RTX, optionally three simulcast streams).
import type { RtpParameters } from '@x/protocol';
import { AUDIO_LEVEL_URI } from './audioLevelSender.js';

/** Audio (opus) from one SSRC. */
export function audioParameters(ssrc = 11111111): RtpParameters {
  return {
    mid: 'AUDIO',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    encodings: [{ ssrc }],
    rtcp: { cname: `audio-${ssrc}` },
  };
}

/** Video (VP8 with RTX); three simulcast streams of 100, 300 and 1500 kbps when asked. */
export function videoParameters(simulcast = false, ssrc = 22222222): RtpParameters {
  const encodings = simulcast
    ? [0, 1, 2].map((i) => ({
        ssrc: ssrc + i * 10,
        rtx: { ssrc: ssrc + i * 10 + 1 },
        maxBitrate: [100000, 300000, 1500000][i],
      }))
    : [{ ssrc, rtx: { ssrc: ssrc + 1 } }];
  return {
    mid: 'VIDEO',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 112,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
      { mimeType: 'video/rtx', payloadType: 113, clockRate: 90000, parameters: { apt: 112 } },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    encodings,
    rtcp: { cname: `video-${ssrc}` },
  };
}

/**
 * Audio (opus, payload type 100) whose packets carry the audio level header
 * extension (id 10): what an {@link audioLevelSender} with those numbers sends.
 */
export function audioLevelParameters(ssrc: number): RtpParameters {
  return {
    codecs: [
      { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, rtcpFeedback: [] },
    ],
    headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 10 }],
    encodings: [{ ssrc }],
  };
}
