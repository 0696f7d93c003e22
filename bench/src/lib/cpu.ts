// CPU time of a process, read from /proc/<pid>/stat (utime + stime), so that
// a benchmark can charge each process (server, mediasoup worker, load
// generator, UDP sinks) for what it used during a measurement window.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux for every common architecture.

/** CPU time (user + system) used so far by process `pid`, in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: fields are counted after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, utime field 14, stime field 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/**
 * Times process `pid` went to sleep waiting for something (its voluntary
 * context switches, from /proc/<pid>/status): for a mediasoup worker, the
 * times it waited for the next request, so the wake-ups it needed.
 */
export function processWakeups(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /\nvoluntary_ctxt_switches:\s+(\d+)/.exec(status);
  if (!match) throw new Error(`no voluntary_ctxt_switches in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Starts measuring the CPU time of some processes; `stop()` returns ms used by each. */
export function cpuMeter(pids: readonly number[]): { stop(): number[] } {
  const start = pids.map(processCpuMs);
  return { stop: () => pids.map((pid, i) => processCpuMs(pid) - start[i]!) };
}

/** CPU time (all cores, all processes) the machine has been busy so far, in ms. */
export function machineCpuMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  const values = fields.map(Number);
  const total = values.reduce((s, v) => s + v, 0);
  const idle = values[3]! + (values[4] ?? 0); // idle + iowait
  return ((total - idle) * 1000) / TICKS_PER_SECOND;
}

/** Share (0–1) of the machine's CPU time that was busy during `ms` milliseconds (all processes). */
export async function machineBusy(ms: number): Promise<number> {
  const read = () => {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
    const values = fields.map(Number);
    const idle = values[3]! + (values[4] ?? 0); // idle + iowait
    return { idle, total: values.reduce((s, v) => s + v, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}
