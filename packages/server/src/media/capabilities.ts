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
