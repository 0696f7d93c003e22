/** p50, p95 and p99 of a list (nearest rank), or null for an empty one. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  count: number;
}

export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50: at(50), p95: at(95), p99: at(99), count: sorted.length };
}

/** One received track, from the receiving peer connection's `inbound-rtp` stats. */
export interface TrackSample {
  id: string;
  kind: 'audio' | 'video';
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, as WebRTC stats give it. */
  jitter: number;
  framesDecoded: number;
  at: number;
}

/** What a track did between two samples. */
export interface TrackFigures {
  subscriber: string;
  kind: 'audio' | 'video';
  bitrateKbps: number;
  fps: number | null;
  packetsReceived: number;
  packetsLost: number;
  lossPercent: number;
  jitterMs: number;
}

export function trackFigures(
  subscriber: string,
  first: TrackSample,
  last: TrackSample,
): TrackFigures {
  const seconds = Math.max(0.001, (last.at - first.at) / 1000);
  const received = last.packetsReceived - first.packetsReceived;
  const lost = Math.max(0, last.packetsLost - first.packetsLost);
  return {
    subscriber,
    kind: last.kind,
    bitrateKbps: ((last.bytesReceived - first.bytesReceived) * 8) / seconds / 1000,
    fps: last.kind === 'video' ? (last.framesDecoded - first.framesDecoded) / seconds : null,
    packetsReceived: received,
    packetsLost: lost,
    lossPercent: received + lost > 0 ? (lost / (received + lost)) * 100 : 0,
    jitterMs: last.jitter * 1000,
  };
}

/** The tracks a peer connection receives, as `inbound-rtp` stats say. */
export async function inboundSamples(pc: RTCPeerConnection): Promise<TrackSample[]> {
  const report = await pc.getStats();
  const samples: TrackSample[] = [];
  const at = Date.now();
  report.forEach((entry) => {
    const s = entry as Record<string, unknown>;
    if (s.type !== 'inbound-rtp') return;
    // mediasoup-client's probator: a receive-only stream of the server's bandwidth probes (SSRC 1234).
    if (s.trackIdentifier === 'probator' || s.ssrc === 1234) return;
    const kind = (s.kind ?? s.mediaType) as 'audio' | 'video';
    samples.push({
      id: `${String(s.ssrc ?? s.id)}`,
      kind,
      bytesReceived: Number(s.bytesReceived ?? 0),
      packetsReceived: Number(s.packetsReceived ?? 0),
      packetsLost: Number(s.packetsLost ?? 0),
      jitter: Number(s.jitter ?? 0),
      framesDecoded: Number(s.framesDecoded ?? 0),
      at,
    });
  });
  return samples;
}
