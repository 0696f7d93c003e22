/** mediasoup's warn and error lines so far in this test file (see setup/worker-log.ts). */
export function mediasoupLog(): string[] {
  const lines = (globalThis as { __mediasoupLog?: string[] }).__mediasoupLog;
  if (!lines) throw new Error('test/setup/worker-log.ts is not a setup file of this vitest config');
  return lines;
}
