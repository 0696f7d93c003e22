import { isIPv6 } from 'node:net';
import type { RtpCodecParameters, RtpParameters } from '@x/protocol';

/** What the SDP needs of a streamer (an {@link RtpStreamer} has it all). */
export interface SdpStream {
  /** The consumer whose media is streamed. */
  consumer: {
    /** Media kind. */
    kind: 'audio' | 'video';
    /** RTP parameters of the consumer (undefined: none yet, and no SDP). */
    rtpParameters: RtpParameters | undefined;
  };
  /** IP address the RTP is sent to. */
  remoteIP: string;
  /** Port the RTP is sent to. */
  remotePort: number;
  /** Port the RTCP is sent to (the RTP port with `rtcpMux`). */
  remoteRtcpPort: number;
  /** Whether RTCP shares the RTP port. */
  rtcpMux: boolean;
}

function rtpmap(codec: RtpCodecParameters): string {
  const name = codec.mimeType.split('/')[1] ?? codec.mimeType;
  const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  return `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`;
}

function fmtp(codec: RtpCodecParameters): string | undefined {
  const entries = Object.entries(codec.parameters ?? {}).filter(
    ([, v]) => v !== undefined && v !== null,
  );
  if (entries.length === 0) return undefined;
  return `a=fmtp:${codec.payloadType} ${entries.map(([k, v]) => `${k}=${String(v)}`).join(';')}`;
}

/**
 * The SDP that receives one or more RtpStreamers, one m-section each: what
 * ffmpeg (`-protocol_whitelist file,udp,rtp -i stream.sdp`), GStreamer
 * (sdpdemux) or VLC open. Each section carries the media codec of the
 * consumer's RTP parameters (RTX is left out: such receivers never ask for
 * retransmissions), its fmtp, SSRC and RTCP port.
 */
export function rtpStreamerSdp(
  streams: readonly SdpStream[],
  options: { sessionName?: string } = {},
): string {
  if (streams.length === 0) throw new TypeError('rtpStreamerSdp needs at least one stream');
  const first = streams[0]!;
  const family = isIPv6(first.remoteIP) ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=- 0 0 IN ${family} ${first.remoteIP}`,
    `s=${options.sessionName ?? 'x-sfu RtpStreamer'}`,
    `c=IN ${family} ${first.remoteIP}`,
    't=0 0',
  ];
  for (const stream of streams) {
    const params = stream.consumer.rtpParameters;
    const codec = params?.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)/i.test(c.mimeType));
    if (!params || !codec) throw new TypeError('a streamer without RTP parameters has no SDP');
    lines.push(`m=${stream.consumer.kind} ${stream.remotePort} RTP/AVP ${codec.payloadType}`);
    if (stream.remoteIP !== first.remoteIP)
      lines.push(`c=IN ${isIPv6(stream.remoteIP) ? 'IP6' : 'IP4'} ${stream.remoteIP}`);
    lines.push(rtpmap(codec));
    const f = fmtp(codec);
    if (f) lines.push(f);
    if (stream.rtcpMux) lines.push('a=rtcp-mux');
    else if (stream.remoteRtcpPort !== stream.remotePort + 1)
      lines.push(`a=rtcp:${stream.remoteRtcpPort}`);
    const ssrc = params.encodings?.[0]?.ssrc;
    if (ssrc !== undefined) lines.push(`a=ssrc:${ssrc} cname:${params.rtcp?.cname ?? 'x-sfu'}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
