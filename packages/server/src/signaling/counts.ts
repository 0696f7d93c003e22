import { SfuError } from '../util/errors.js';

/**
 * How many entries a client's RTP description may list: far above what any
 * browser sends (Chromium: ~20 codecs, 3 simulcast encodings), far below
 * what would make the worker's work per packet or per consumer grow.
 */
export const MAX_ENTRIES = {
  codecs: 64,
  headerExtensions: 32,
  encodings: 8,
  rtcpFeedback: 16,
  fingerprints: 8,
} as const;

/** Throws LIMIT_EXCEEDED when a list of a client's message is longer than its limit. */
export function checkCount(
  list: readonly unknown[] | null | undefined,
  kind: keyof typeof MAX_ENTRIES,
  field: string,
): void {
  const max = MAX_ENTRIES[kind];
  if (list && list.length > max)
    throw new SfuError('LIMIT_EXCEEDED', `${field} lists ${list.length} entries: at most ${max}`, {
      field,
    });
}

/** Checks the lists of RTP parameters or capabilities (codecs, their feedback, extensions, encodings). */
export function checkRtpCounts(
  rtp:
    | {
        codecs?: ({ rtcpFeedback?: readonly unknown[] | null } | null)[] | null;
        headerExtensions?: readonly unknown[] | null;
        encodings?: readonly unknown[] | null;
      }
    | null
    | undefined,
  field: string,
): void {
  if (!rtp) return;
  checkCount(rtp.codecs, 'codecs', `${field}.codecs`);
  for (const codec of rtp.codecs ?? [])
    checkCount(codec?.rtcpFeedback, 'rtcpFeedback', `${field}.codecs.rtcpFeedback`);
  checkCount(rtp.headerExtensions, 'headerExtensions', `${field}.headerExtensions`);
  checkCount(rtp.encodings, 'encodings', `${field}.encodings`);
}
