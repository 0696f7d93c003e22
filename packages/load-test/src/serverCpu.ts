/**
 * The server's media workers' CPU, from its Prometheus metrics
 * (`xsfu_worker_cpu_seconds_total` of x-server's `/metrics`), when it has
 * them: each worker's total so far in seconds (by its `worker` label), or
 * undefined.
 */
export async function workerCpuSeconds(
  metricsUrl: string,
): Promise<Map<string, number> | undefined> {
  try {
    const answer = await fetch(metricsUrl, { signal: AbortSignal.timeout(3000) });
    if (!answer.ok) return undefined;
    const text = await answer.text();
    const workers = new Map<string, number>();
    for (const line of text.split('\n')) {
      const match =
        /^xsfu_worker_cpu_seconds_total\{[^}]*worker="([^"]*)"[^}]*\} ([0-9.e+-]+)$/.exec(line);
      if (match) workers.set(match[1]!, Number(match[2]));
    }
    return workers.size > 0 ? workers : undefined;
  } catch {
    return undefined;
  }
}

/** Each worker's CPU between two readings, in % of a core, busiest first. */
export function workerCpuPercents(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): number[] {
  return [...after]
    .map(([worker, total]) => ((total - (before.get(worker) ?? 0)) / seconds) * 100)
    .sort((a, b) => b - a);
}

/** Where a signaling URL's server has its metrics: the same host, `/metrics`. */
export function metricsUrlOf(signalingUrl: string): string {
  const url = new URL(signalingUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/metrics';
  url.search = '';
  return url.toString();
}
