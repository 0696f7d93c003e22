// Network quality as this browser measures it (its own WebRTC stats), beside
// the server's scores: the server reports a score only when it changes, so a
// stream that has been fine from its start may never have one.

/** A 0–10 score from the loss (0–1) and round-trip time (s) of a stream. */
export function scoreOf(loss: number, rtt: number | undefined): number {
  let score = loss < 0.02 ? 10 : loss < 0.05 ? 8 : loss < 0.1 ? 6 : loss < 0.2 ? 4 : 2;
  if (rtt !== undefined && rtt > 0.5) score = Math.min(score, 5);
  return score;
}

/** Measures one stream between two calls: what arrived and what was lost since the last one. */
export class QualityProbe {
  #received = 0;
  #lost = 0;

  /**
   * The score of a receiving stream (its 'inbound-rtp') or a sending one (the
   * 'remote-inbound-rtp' its receiver reports); 0 when nothing arrived since
   * the last measure, undefined while the browser has no stats for it.
   */
  measure(report: RTCStatsReport, direction: 'recv' | 'send'): number | undefined {
    let received = 0;
    let lost = 0;
    let fraction: number | undefined;
    let rtt: number | undefined;
    let found = false;
    report.forEach((s: Record<string, unknown>) => {
      if (direction === 'recv' && s.type === 'inbound-rtp') {
        found = true;
        received += Number(s.packetsReceived ?? 0);
        lost += Math.max(0, Number(s.packetsLost ?? 0));
      } else if (direction === 'send' && s.type === 'remote-inbound-rtp') {
        found = true;
        fraction = Math.max(fraction ?? 0, Number(s.fractionLost ?? 0));
        if (typeof s.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.roundTripTime);
      }
    });
    if (!found) return undefined;
    if (direction === 'send') return scoreOf(fraction ?? 0, rtt);
    const dReceived = received - this.#received;
    const dLost = lost - this.#lost;
    this.#received = received;
    this.#lost = lost;
    if (dReceived + dLost <= 0) return 0;
    return scoreOf(dLost / (dReceived + dLost), undefined);
  }
}
