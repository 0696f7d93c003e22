// A real Prometheus (Debian's `prometheus`) scraping an x-server every
// second, and `promtool check metrics`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@x/testkit';

function need(binary: string): void {
  if (spawnSync(binary, ['--version']).status !== 0)
    throw new Error(
      `${binary} is not installed: install the Debian package prometheus (pnpm system-deps does)`,
    );
}

export interface PrometheusProcess {
  url: string;
  /** The value of an instant query's first sample, or undefined when it has none. */
  query(expression: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

export async function startPrometheus(
  target: string,
  bearerToken?: string,
): Promise<PrometheusProcess> {
  need('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'x-prometheus-'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: x-server
    static_configs:
      - targets: ['${target}']
${bearerToken ? `    authorization:\n      credentials: ${bearerToken}\n` : ''}`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d) => {
    log += d;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`prometheus did not start:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async query(expression) {
      const answer = (await (
        await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`)
      ).json()) as { data: { result: { value: [number, string] }[] } };
      const first = answer.data.result[0];
      return first ? Number(first.value[1]) : undefined;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `promtool check metrics` on a scrape: its exit code and what it said. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  need('promtool');
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
