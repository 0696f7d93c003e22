// The demo (apps/demo, built: its server module and its page) started in
// this test process on an address of a test network: HTTP, signaling (/ws)
// and RTC (UDP and TCP) all on that address.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Server, ServerOptions, WebRtcTransport } from '@x/server';
import { ownTempDir, removeStaleTempDirs } from '@x/testkit';

const demoJs = fileURLToPath(new URL('../../../apps/demo/dist/server/demo.js', import.meta.url));
const webDir = fileURLToPath(new URL('../../../apps/demo/dist/web/', import.meta.url));

const RECORDINGS_PREFIX = 'x-network-recordings-';
/** The recordings dirs of this process's running demos. */
const recordingsDirs = new Set<string>();

/** What these tests use of apps/demo's `Demo`. */
export interface NetDemo {
  /** `http://ADDR:PORT`: the page's origin. */
  origin: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

interface DemoModule {
  startDemo(options: {
    port: number;
    host: string;
    webDir: string;
    recordingsDir: string;
    server: ServerOptions;
    sessionGraceMs?: number;
  }): Promise<{ port: number; server: Server; close(): Promise<void> }>;
}

/**
 * Starts the built demo on `ip` (HTTP on a free port) with RTC ports
 * `rtcPorts` on the same address; `server`: more server settings (its
 * WebRtcServer port, the TURN server it mints credentials for).
 */
export async function startNetDemo(
  ip: string,
  rtcPorts: [number, number],
  server: ServerOptions = {},
  demoOptions: { sessionGraceMs?: number } = {},
): Promise<NetDemo> {
  if (!existsSync(demoJs) || !existsSync(join(webDir, 'index.html')))
    throw new Error(`the demo is not built (${demoJs}): run pnpm exec turbo run build`);
  const { startDemo } = (await import(pathToFileURL(demoJs).href)) as DemoModule;
  // (the tests record nothing, but the demo wants a dir; a killed run's is removed here)
  removeStaleTempDirs(RECORDINGS_PREFIX, recordingsDirs);
  const recordingsDir = ownTempDir(RECORDINGS_PREFIX);
  recordingsDirs.add(recordingsDir);
  const demo = await startDemo({
    port: 0,
    host: ip,
    webDir,
    recordingsDir,
    ...demoOptions,
    server: {
      numWorkers: 1,
      logLevel: 'warn',
      rtcIPv4: ip,
      rtcIPv6: false,
      rtcMinPort: rtcPorts[0],
      rtcMaxPort: rtcPorts[1],
      ...server,
    },
  });
  return {
    origin: `http://${ip}:${demo.port}`,
    port: demo.port,
    server: demo.server,
    close: async () => {
      await demo.close();
      rmSync(recordingsDir, { recursive: true, force: true });
      recordingsDirs.delete(recordingsDir);
    },
  };
}

/** The ICE tuple of each of a peer's connected WebRTC transports, as the server sees it. */
export function serverTuples(
  server: Server,
  room: string,
  peer: string,
): { protocol: string; remoteIp: string | undefined; localIp: string; localPort: number }[] {
  const transports = server.getRoom(room)?.getPeerByName(peer)?.transports ?? [];
  return transports
    .map((t) => (t as WebRtcTransport).iceSelectedTuple)
    .filter((t) => t !== undefined)
    .map((t) => ({
      protocol: t.protocol,
      remoteIp: t.remoteIp,
      localIp: t.localIp,
      localPort: t.localPort,
    }));
}
