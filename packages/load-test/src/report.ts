import type { LoadTestReport } from './LoadTest.js';
import type { Percentiles } from './stats.js';

const ms = (p: Percentiles | null) =>
  p ? `p50 ${p.p50.toFixed(0)} ms, p95 ${p.p95.toFixed(0)} ms, p99 ${p.p99.toFixed(0)} ms` : '–';

/** The report as an operator reads it. */
export function formatReport(r: LoadTestReport): string {
  const lines = [
    `${r.url}: ${r.rooms.length} room(s), ${r.publishers} publishers, ${r.subscribers} subscribers, ${r.durationSeconds} s measured`,
    `joins         ${r.joins.succeeded}/${r.joins.attempted} (${r.joins.failed} failed)`,
    `join time     ${ms(r.joinMs)}`,
    `first frame   ${ms(r.firstFrameMs)}`,
    `received      ${r.totals.tracks} tracks, ${(r.totals.bitrateKbps / 1000).toFixed(2)} Mbps (${Math.round(r.totals.packetsPerSecond)} packets/s), loss ${r.totals.lossPercent.toFixed(2)} %, jitter ${r.totals.jitterMs ? `p95 ${r.totals.jitterMs.p95.toFixed(1)} ms` : '–'}, video ${r.totals.videoFps ? `p50 ${r.totals.videoFps.p50.toFixed(1)} fps` : '–'}`,
    `server        ${r.server ? `media workers ${r.server.workerCpuPercent.toFixed(1)} % of a core${r.server.workers.length > 1 ? ` (${r.server.workers.map((w) => `${w.toFixed(1)} %`).join(' + ')})` : ''}` : 'no /metrics'}`,
    `load tester   ${r.client.cpuPercent.toFixed(0)} % of a core (this process: the simulated participants)`,
  ];
  if (r.joins.errors.length > 0) lines.push('errors', ...r.joins.errors.map((e) => `  ${e}`));
  lines.push('', 'subscriber     kind   kbps     fps   loss %  jitter ms');
  for (const t of r.tracks)
    lines.push(
      `${t.subscriber.padEnd(14)} ${t.kind.padEnd(6)} ${t.bitrateKbps.toFixed(0).padStart(6)} ${(t.fps === null ? '–' : t.fps.toFixed(1)).padStart(7)} ${t.lossPercent.toFixed(2).padStart(8)} ${t.jitterMs.toFixed(1).padStart(10)}`,
    );
  return lines.join('\n');
}
