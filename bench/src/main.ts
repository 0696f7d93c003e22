// Runs the benchmarks (all of them, or those named on the command line),
// prints every figure as a ratio against its baseline measured in the same
// run, and writes results/latest.json and results/latest.md. A partial run
// replaces only its own benchmarks in those files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machineBusy } from './lib/cpu.js';
import { type BenchResult, consoleLines, markdownTable } from './lib/report.js';

const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<BenchResult> }>> = {
  codec: () => import('./codec/bench.js'),
  signaling: () => import('./signaling/bench.js'),
  fanout: () => import('./media/fanout.js'),
  join: () => import('./join/bench.js'),
  capacity: () => import('./media/capacity.js'),
  workers: () => import('./media/workers.js'),
  pipes: () => import('./media/pipes.js'),
  'worker-join': () => import('./join/workers.js'),
  'cluster-join': () => import('./cluster/join.js'),
  'cluster-pipes': () => import('./cluster/pipes.js'),
  'cluster-drain': () => import('./cluster/drain.js'),
  roam: () => import('./network/roam.js'),
  data: () => import('./data/bench.js'),
  bots: () => import('./bots/bots.js'),
  metrics: () => import('./ops/metrics.js'),
  webinar: () => import('./webinar/bench.js'),
};

interface Stored extends BenchResult {
  /** When it started. */
  ranAt: string;
  /**
   * Share of both cores busy during the second before it started, while no
   * benchmark ran: other processes (tests, a browser) that compete with it.
   */
  otherLoad: number;
}

interface ResultsFile {
  updatedAt: string;
  machine: Record<string, string | number>;
  benchmarks: Stored[];
}

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

function machine(): Record<string, string | number> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    commit,
  };
}

function readPrevious(): Stored[] {
  const file = `${resultsDir}latest.json`;
  if (!existsSync(file)) return [];
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as ResultsFile).benchmarks ?? [];
  } catch {
    return [];
  }
}

function markdown(file: ResultsFile): string {
  const m = file.machine;
  const parts = [
    '# Benchmark results',
    '',
    `Updated ${file.updatedAt} on ${m.cores} × ${m.cpu}, Node ${m.node}, commit ${m.commit}.`,
    'Every ratio is @x ÷ its baseline, both measured in the same run; the word after it says whether that is better or worse for @x. See bench/README.md for what each figure measures.',
  ];
  for (const b of file.benchmarks) {
    parts.push('', `## ${b.name}: ${b.title}`, '');
    parts.push(
      `Started ${b.ranAt}, took ${b.seconds?.toFixed(0) ?? '?'} s; other processes kept ${((b.otherLoad ?? 0) * 100).toFixed(0)} % of the 2 cores busy just before it.`,
      '',
    );
    parts.push(markdownTable(b));
    if (b.notes?.length) parts.push('', ...b.notes.map((n) => `- ${n}`));
    if (b.extraMarkdown) parts.push('', b.extraMarkdown);
  }
  return `${parts.join('\n')}\n`;
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = asked.filter((a) => !(a in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
    process.exit(2);
  }
  const names = asked.length > 0 ? asked : Object.keys(BENCHMARKS);
  const started = performance.now();
  const results: Stored[] = [];
  for (const name of names) {
    console.log(`\n▶ ${name}`);
    const otherLoad = await machineBusy(1000);
    if (otherLoad > 0.1)
      console.log(`  (other processes keep ${(otherLoad * 100).toFixed(0)} % of the CPUs busy)`);
    const ranAt = new Date().toISOString();
    const t0 = performance.now();
    const module = await BENCHMARKS[name]!();
    const result = await module.run();
    result.seconds = (performance.now() - t0) / 1000;
    results.push({ ...result, ranAt, otherLoad });
    console.log(`${result.title} (${result.seconds.toFixed(0)} s)`);
    for (const line of consoleLines(result)) console.log(line);
  }
  const order = Object.keys(BENCHMARKS);
  const merged = [...readPrevious().filter((b) => !names.includes(b.name)), ...results].sort(
    (a, b) => order.indexOf(a.name) - order.indexOf(b.name),
  );
  const file: ResultsFile = {
    updatedAt: new Date().toISOString(),
    machine: machine(),
    benchmarks: merged,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(`${resultsDir}latest.md`, markdown(file));
  const total = (performance.now() - started) / 1000;
  console.log(`\nDone in ${total.toFixed(0)} s: bench/results/latest.json and latest.md written.`);
  // Helpers and sockets are closed; exit even if a library keeps a handle open.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
