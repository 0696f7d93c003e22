import type { RtcStats } from '@x/client';

/** One line of server stats for a tile: bitrate, packets lost, round-trip time. */
export function formatStats(stats: RtcStats[]): string {
  const rtp =
    stats.find((s) => s.type === 'outbound-rtp') ?? stats.find((s) => s.type === 'inbound-rtp');
  if (!rtp) return 'no stats yet';
  const bitrate = Number(rtp.bitrate ?? 0);
  const lost = Number(rtp.packetsLost ?? 0);
  const rtt = rtp.roundTripTime === undefined ? '–' : `${Number(rtp.roundTripTime).toFixed(0)} ms`;
  return `${(bitrate / 1000).toFixed(0)} kbps · lost ${lost} · rtt ${rtt}`;
}
