import type { types as ms } from '@x/mediasoup';

/**
 * A codec a room uses. mediasoup v2's form (`name`: 'opus') and mediasoup 3's
 * (`mimeType`: 'audio/opus') are both accepted. RTX is added for video codecs.
 */
export type RoomMediaCodec =
  | {
      /** Media kind of the codec. */
      kind: 'audio' | 'video';
      /** Codec name, e.g. 'opus', 'VP8', 'H264' (v2). */
      name: string;
      /** Clock rate in Hz. */
      clockRate: number;
      /** Number of audio channels (audio only). */
      channels?: number;
      /** Codec-specific parameters (fmtp). */
      parameters?: Record<string, string | number>;
    }
  | ms.RtpCodecCapability;

/** The codecs of a room created without any: opus, VP8, VP9 and H264 (constrained baseline). */
export const DEFAULT_MEDIA_CODECS: readonly ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 1000 },
  },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    },
  },
];

/** Room codecs in mediasoup 3's form. Throws TypeError for a codec with neither name nor mimeType. */
export function toMediasoupCodecs(
  codecs: readonly RoomMediaCodec[] | undefined,
): ms.RtpCodecCapability[] {
  if (codecs === undefined) return DEFAULT_MEDIA_CODECS.map((c) => ({ ...c }));
  if (!Array.isArray(codecs) || codecs.length === 0) {
    throw new TypeError('mediaCodecs must be a non-empty array');
  }
  return codecs.map((codec, i) => {
    if ('mimeType' in codec && typeof codec.mimeType === 'string') return { ...codec };
    if ('name' in codec && typeof codec.name === 'string') {
      const { name, ...rest } = codec;
      return { ...rest, mimeType: `${codec.kind}/${name}` };
    }
    throw new TypeError(
      `mediaCodecs[${i}] needs a name (e.g. 'VP8') or a mimeType (e.g. 'video/VP8')`,
    );
  });
}
