/**
 * The server's media workers' CPU, from its Prometheus metrics
 * (`xsfu_worker_cpu_seconds_total` of x-server's `/metrics`), when it has
 * them: the total so far in seconds, or undefined.
 */
export async function workerCpuSeconds(metricsUrl: string): Promise<number | undefined> {
  try {
    const answer = await fetch(metricsUrl, { signal: AbortSignal.timeout(3000) });
    if (!answer.ok) return undefined;
    const text = await answer.text();
    let total = 0;
    let found = false;
    for (const line of text.split('\n')) {
      const match = /^xsfu_worker_cpu_seconds_total\{[^}]*\} ([0-9.e+-]+)$/.exec(line);
      if (match) {
        total += Number(match[1]);
        found = true;
      }
    }
    return found ? total : undefined;
  } catch {
    return undefined;
  }
}

/** Where a signaling URL's server has its metrics: the same host, `/metrics`. */
export function metricsUrlOf(signalingUrl: string): string {
  const url = new URL(signalingUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = '/metrics';
  url.search = '';
  return url.toString();
}
