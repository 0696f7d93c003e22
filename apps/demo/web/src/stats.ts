import type { RtcStats } from '@x/client';

/** What the stats line of a tile adds up. */
export interface StatsSummary {
  /** Bits per second: all simulcast layers of a producer, the one stream of a consumer. */
  bitrate: number;
  /** RTP streams added up (simulcast layers of a producer). */
  streams: number;
  packetsLost: number;
  /** Round-trip time in ms, when the server measured one. */
  rtt: number | undefined;
}

/**
 * Adds up the server's stats of a producer (one 'inbound-rtp' per simulcast
 * layer, as the server receives them) or of a consumer (the 'outbound-rtp'
 * the server sends to this browser).
 */
export function summarize(stats: RtcStats[], of: 'producer' | 'consumer'): StatsSummary {
  const type = of === 'producer' ? 'inbound-rtp' : 'outbound-rtp';
  const streams = stats.filter((s) => s.type === type);
  const rtts = streams
    .map((s) => s.roundTripTime)
    .filter((r): r is number => typeof r === 'number' && r > 0);
  return {
    bitrate: streams.reduce((sum, s) => sum + Number(s.bitrate ?? 0), 0),
    streams: streams.length,
    packetsLost: streams.reduce((sum, s) => sum + Number(s.packetsLost ?? 0), 0),
    rtt: rtts.length ? Math.max(...rtts) : undefined,
  };
}

/** One line of server stats for a tile: bitrate (all layers), packets lost, round-trip time. */
export function formatStats(stats: RtcStats[], of: 'producer' | 'consumer'): string {
  const s = summarize(stats, of);
  if (s.streams === 0) return 'no stats yet';
  const layers = s.streams > 1 ? ` (${s.streams} layers)` : '';
  const rtt = s.rtt === undefined ? '–' : `${s.rtt.toFixed(0)} ms`;
  return `${(s.bitrate / 1000).toFixed(0)} kbps${layers} · lost ${s.packetsLost} · rtt ${rtt}`;
}
