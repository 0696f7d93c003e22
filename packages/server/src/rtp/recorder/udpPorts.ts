import { createSocket } from 'node:dgram';

function family(ip: string): 'udp4' | 'udp6' {
  return ip.includes(':') ? 'udp6' : 'udp4';
}

/** Whether something already listens on a UDP port (a bind attempt fails with EADDRINUSE). */
export function isBound(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(family(ip));
    socket.once('error', () => {
      socket.close();
      resolve(true);
    });
    socket.bind(port, ip, () => {
      socket.close();
      resolve(false);
    });
  });
}

/**
 * A free pair of UDP ports (port, port + 1) on `ip`, RTP and RTCP as ffmpeg
 * expects them, other than the pairs in `taken` (chosen for the same ffmpeg,
 * which binds them all later). Free now only: another process may take it
 * before ffmpeg binds (see {@link isPortInUse}).
 */
export async function freePortPair(
  ip: string,
  taken: ReadonlySet<number> = new Set(),
): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const probe = createSocket(family(ip));
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.bind(0, ip, () => resolve(probe.address().port));
    });
    probe.close();
    if (port % 2 !== 0 || port >= 65535 || taken.has(port)) continue;
    if (!(await isBound(ip, port)) && !(await isBound(ip, port + 1))) return port;
  }
  throw new Error(`no free UDP port pair on ${ip}`);
}

/** Whether ffmpeg failed because a port it was to listen on was taken meanwhile. */
export function isPortInUse(error: unknown): boolean {
  return error instanceof Error && /bind failed: Address already in use/.test(error.message);
}
