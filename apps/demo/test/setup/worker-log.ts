// Keeps every line mediasoup logs at warn and error level, worker lines
// included: the worker sends its log through the channel, and mediasoup's
// Node side prints it with the `debug` package (namespaces mediasoup:WARN:*
// and mediasoup:ERROR:*, enabled by DEBUG in vitest.config.ts) on
// console.warn / console.error. mediasoup's Logger binds those two when its
// modules load, so this runs first, as a setup file. Lines still print.
import { format } from 'node:util';

const lines: string[] = [];
for (const level of ['warn', 'error'] as const) {
  const print = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    lines.push(format(...args));
    print(...args);
  };
}
(globalThis as { __mediasoupLog?: string[] }).__mediasoupLog = lines;
