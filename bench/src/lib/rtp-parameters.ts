// RTP parameters that a browser could send, for the producers of the load
// generators (opus; VP8 with RTX), each with its own SSRCs.
import type { RtpParameters } from '@x/protocol';

export function audioParameters(ssrc: number): RtpParameters {
  return {
    mid: '0',
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

export function videoParameters(ssrc: number): RtpParameters {
  return {
    mid: '1',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        parameters: {},
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
      },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    encodings: [{ ssrc, rtx: { ssrc: ssrc + 1 } }],
    rtcp: { cname: `video-${ssrc}` },
  };
}
