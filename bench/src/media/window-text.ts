// How the room benchmarks print a measurement window: where its packets
// were lost, and one row of a table with every process's CPU.
import type { Window } from './measure.js';

export const pct = (x: number): string => `${x.toFixed(0)} %`;

/** Where a window's loss happened, from the ingest's and the kernel's counters. */
export function lossWhere(w: Window): string {
  const parts: string[] = [];
  if (w.ingestLost !== undefined) parts.push(`ingest missed ${w.ingestLost}`);
  if (w.kernel)
    parts.push(
      `socket buffers dropped ${w.kernel.rcvbufErrors}`,
      `loopback backlog dropped ${w.kernel.backlogDrops}`,
    );
  return parts.join(', ');
}

export const WINDOW_TABLE_HEAD = [
  '| topology | consumers | per worker | loss | ingest missed | socket-buffer drops | backlog drops | delivered packets/s | workers CPU | sinks CPU | sender CPU | this process (+ nodes) | others | worker ms per 1k packets |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
].join('\n');

/** One window as a row of {@link WINDOW_TABLE_HEAD}. */
export function windowRow(name: string, w: Window & { placement?: number[] }): string {
  const cells = [
    name,
    String(w.consumers),
    w.placement?.join(' / ') ?? '',
    `${(w.loss * 100).toFixed(2)} %`,
    String(w.ingestLost ?? ''),
    String(w.kernel?.rcvbufErrors ?? ''),
    String(w.kernel?.backlogDrops ?? ''),
    String(Math.round(w.deliveredPerSecond)),
    (w.workerCpuPercentEach ?? [w.workerCpuPercent]).map(pct).join(' + '),
    pct(w.sinkCpuPercent),
    pct(w.senderCpuPercent),
    w.helperCpuPercent === undefined
      ? pct(w.benchCpuPercent ?? 0)
      : `${pct(w.benchCpuPercent ?? 0)} + ${pct(w.helperCpuPercent)}`,
    pct(w.othersCpuPercent ?? 0),
    w.workerCpuPer1k.toFixed(1),
  ];
  return `| ${cells.join(' | ')} |`;
}
