// The demo in this test process, as the browser tests start it: on loopback
// (or a given address), one worker, warnings only, serving the built page.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '@x/server';
import { type Demo, type DemoOptions, startDemo } from '../../src/demo.js';

/** The built demo page (`pnpm --filter @x/demo build`). */
export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

export interface TestDemoOptions extends Omit<DemoOptions, 'server'> {
  recordingsDir: string;
  /** The first RTC port of its workers; each test file takes a range of its own. */
  rtcPort: number;
  /** How many RTC ports from `rtcPort`. Default 1000. */
  rtcPorts?: number;
  /** The address media listens on. Default: `host`. */
  rtcIp?: string;
  /** Server settings besides these defaults. */
  server?: ServerOptions;
}

/** Starts the demo on `host` (default 127.0.0.1) and any free HTTP port. */
export function startTestDemo(options: TestDemoOptions): Promise<Demo> {
  if (!existsSync(join(webDir, 'index.html')))
    throw new Error(`the demo page is not built (${webDir}): run pnpm --filter @x/demo build`);
  const { rtcPort, rtcPorts = 1000, rtcIp, server, host = '127.0.0.1', ...demo } = options;
  return startDemo({
    port: 0,
    host,
    webDir,
    ...demo,
    server: {
      numWorkers: 1,
      logLevel: 'warn',
      rtcIPv4: rtcIp ?? host,
      rtcIPv6: false,
      rtcMinPort: rtcPort,
      rtcMaxPort: rtcPort + rtcPorts - 1,
      ...server,
    },
  });
}
