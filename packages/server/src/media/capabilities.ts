import type { RtpCapabilities } from '@x/protocol';
import { SfuError } from '../util/errors.js';

const isRtx = (mimeType: string) => /\/rtx$/i.test(mimeType);
const key = (c: { mimeType: string; clockRate: number }) =>
  `${c.mimeType.toLowerCase()}/${c.clockRate}`;

/**
 * A client must share at least one media codec with the room; UNSUPPORTED
 * names the room's codecs otherwise.
 */
export function assertCompatible(room: RtpCapabilities, client: RtpCapabilities): void {
  const roomCodecs = (room.codecs ?? []).filter((c) => !isRtx(c.mimeType));
  const known = new Set(roomCodecs.map(key));
  if ((client.codecs ?? []).some((c) => known.has(key(c)))) return;
  throw new SfuError(
    'UNSUPPORTED',
    `the client supports none of the room's codecs (${roomCodecs.map((c) => c.mimeType).join(', ')})`,
    { field: 'rtpCapabilities.codecs' },
  );
}

/**
 * What a plain receiver can take: the router's codecs without bandwidth
 * estimation. With transport-cc or REMB the worker would probe the path with
 * packets of its own (SSRC 1234, payload type 127) that are neither in the
 * consumer's rtpParameters nor in the SDP a receiver is given.
 */
export function plainReceiverCapabilities(caps: RtpCapabilities): RtpCapabilities {
  return {
    codecs: (caps.codecs ?? []).map((codec) => ({
      ...codec,
      rtcpFeedback: (codec.rtcpFeedback ?? []).filter(
        (fb) => fb.type !== 'transport-cc' && fb.type !== 'goog-remb',
      ),
    })),
    headerExtensions: (caps.headerExtensions ?? []).filter(
      (ext) => !ext.uri.includes('transport-wide-cc') && !ext.uri.includes('abs-send-time'),
    ),
  } as RtpCapabilities;
}
