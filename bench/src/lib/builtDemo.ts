// The built demo (apps/demo/dist): its server module and its page, which the
// browser benchmarks run (in this process or in a node process of theirs).
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Server } from '@x/server';

export const demoJs = fileURLToPath(
  new URL('../../../apps/demo/dist/server/demo.js', import.meta.url),
);
export const demoWebDir = fileURLToPath(new URL('../../../apps/demo/dist/web/', import.meta.url));

/** What the benchmarks use of a running demo (apps/demo's `Demo`). */
export interface BuiltDemo {
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Starts the built demo (apps/demo's `startDemo`, options as it takes them). */
export async function startBuiltDemo(options: Record<string, unknown>): Promise<BuiltDemo> {
  const { startDemo } = (await import(pathToFileURL(demoJs).href)) as {
    startDemo(options: Record<string, unknown>): Promise<BuiltDemo>;
  };
  return startDemo(options);
}
