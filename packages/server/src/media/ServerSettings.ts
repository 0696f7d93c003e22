import { isIP } from 'node:net';
import { availableParallelism, networkInterfaces } from 'node:os';
import type { types as ms } from '@x/mediasoup';
import { logger } from '@x/shared';
import { SfuError } from '../util/errors.js';

const log = logger('x:server:ServerSettings');

/** Log level of the media workers. */
export type LogLevel = 'debug' | 'warn' | 'error' | 'none';

/** Settings of a {@link Server} (mediasoup v2's ServerSettings). */
export interface ServerSettings {
  /** Number of media workers (one C++ process and one core each). Default: the CPU count. */
  numWorkers?: number;
  /** Log level of the workers. Default 'error'. */
  logLevel?: LogLevel;
  /** Log tags of the workers ('info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score', 'simulcast', 'svc', 'sctp'…). Default none. */
  logTags?: ms.WorkerLogTag[];
  /** IPv4 address for RTC: an address, `true` to detect one (default), `false` for none. */
  rtcIPv4?: string | boolean;
  /** IPv6 address for RTC: an address, `true` to detect one (default), `false` for none. */
  rtcIPv6?: string | boolean;
  /** Public IPv4 address announced in ICE candidates (behind NAT). */
  rtcAnnouncedIPv4?: string;
  /** Public IPv6 address announced in ICE candidates. */
  rtcAnnouncedIPv6?: string;
  /** Lowest RTC port. Default 10000. The range is split evenly among the workers. */
  rtcMinPort?: number;
  /** Highest RTC port. Default 59999. */
  rtcMaxPort?: number;
  /** DTLS certificate file (PEM). Default: a random certificate per worker. */
  dtlsCertificateFile?: string;
  /** DTLS private key file (PEM). */
  dtlsPrivateKeyFile?: string;
  /**
   * Consumers one worker takes before a room places new peers on a router of
   * another worker (mediasoup's published capacity of a worker is ~500).
   * Default 500.
   */
  maxConsumersPerWorker?: number;
  /**
   * One UDP and one TCP port per media worker for every WebRTC transport
   * (mediasoup's WebRtcServer): the operator opens `port` to
   * `port + numWorkers - 1`, UDP and TCP, and nothing else for WebRTC; a
   * client whose UDP is blocked connects by ICE over TCP on the same port.
   * Without it, each WebRTC transport takes ports of its own from
   * `rtcMinPort`–`rtcMaxPort` (which plain RTP transports always use).
   */
  webRtcServer?: WebRtcServerSettings;
}

/** The ports of the workers' WebRtcServers (see {@link ServerSettings.webRtcServer}). */
export interface WebRtcServerSettings {
  /** The first worker's port: worker `i` listens on `port + i`, UDP and TCP. */
  port: number;
  /**
   * The address to listen on. Default: `rtcIPv4` and `rtcIPv6` (each that is
   * on). `'0.0.0.0'` listens on every IPv4 address (give `announcedIp` then).
   */
  ip?: string;
  /**
   * The address clients are told to reach (a host behind 1:1 NAT, such as a
   * cloud VM: its public address). Default: `rtcAnnouncedIPv4`/`rtcAnnouncedIPv6`.
   */
  announcedIp?: string;
  /** Listen on UDP. Default true. */
  udp?: boolean;
  /** Listen on TCP (ICE-TCP: clients whose UDP is blocked). Default true. */
  tcp?: boolean;
}

/** Settings with every default applied and the RTC addresses resolved. */
export interface ResolvedSettings {
  /** Number of media workers. */
  numWorkers: number;
  /** Log level of the workers. */
  logLevel: LogLevel;
  /** Log tags of the workers. */
  logTags: ms.WorkerLogTag[];
  /** IPv4 address for RTC (detected when it was `true`); undefined: none. */
  rtcIPv4: string | undefined;
  /** IPv6 address for RTC (detected when it was `true`); undefined: none. */
  rtcIPv6: string | undefined;
  /** Public IPv4 address announced in ICE candidates, if any. */
  rtcAnnouncedIPv4: string | undefined;
  /** Public IPv6 address announced in ICE candidates, if any. */
  rtcAnnouncedIPv6: string | undefined;
  /** Lowest RTC port. */
  rtcMinPort: number;
  /** Highest RTC port. */
  rtcMaxPort: number;
  /** DTLS certificate file (PEM); undefined: a random certificate per worker. */
  dtlsCertificateFile: string | undefined;
  /** DTLS private key file (PEM), with `dtlsCertificateFile`. */
  dtlsPrivateKeyFile: string | undefined;
  /** Consumers one worker takes before a room places new peers on another worker. */
  maxConsumersPerWorker: number;
  /** The workers' WebRtcServers: each worker's listen addresses (`port + index`); undefined: none. */
  webRtcServer: ResolvedWebRtcServer | undefined;
}

/** Where the workers' WebRtcServers listen. */
export interface ResolvedWebRtcServer {
  /** The first worker's port. */
  port: number;
  /** The addresses each server listens on, UDP and/or TCP (their ports: `port + index`). */
  listen: {
    /** The local address the server binds. */
    ip: string;
    /** The address given to clients in ICE candidates; undefined: `ip` itself. */
    announcedIp: string | undefined;
  }[];
  /** Protocols to listen on. */
  protocols: ('udp' | 'tcp')[];
}

const KNOWN_KEYS = new Set([
  'numWorkers',
  'logLevel',
  'logTags',
  'rtcIPv4',
  'rtcIPv6',
  'rtcAnnouncedIPv4',
  'rtcAnnouncedIPv6',
  'rtcMinPort',
  'rtcMaxPort',
  'dtlsCertificateFile',
  'dtlsPrivateKeyFile',
  'maxConsumersPerWorker',
  'webRtcServer',
]);

function detect(family: 'IPv4' | 'IPv6'): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family !== family || a.internal) continue;
      if (family === 'IPv6' && (a.scopeid ?? 0) !== 0) continue; // link-local needs a scope id ICE cannot carry
      return a.address;
    }
  }
  return undefined;
}

function resolveIp(
  value: string | boolean | undefined,
  family: 'IPv4' | 'IPv6',
): string | undefined {
  if (value === false) return undefined;
  if (typeof value === 'string') return value;
  const found = detect(family);
  // A machine with no network still serves local peers.
  return found ?? (family === 'IPv4' ? '127.0.0.1' : undefined);
}

function port(value: number | undefined, fallback: number, name: string): number {
  const p = value ?? fallback;
  if (!Number.isInteger(p) || p < 1024 || p > 65535) {
    throw new TypeError(
      `ServerSettings.${name} must be an integer from 1024 to 65535, got ${String(value)}`,
    );
  }
  return p;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`ServerSettings.${name} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Applies the defaults, checks the values, and resolves `true` RTC addresses to this host's. */
export function resolveSettings(settings: ServerSettings = {}): ResolvedSettings {
  for (const key of Object.keys(settings)) {
    if (!KNOWN_KEYS.has(key)) log.warn('unknown ServerSettings key "%s" ignored', key);
  }
  const numWorkers = settings.numWorkers ?? availableParallelism();
  if (!Number.isInteger(numWorkers) || numWorkers < 1) {
    throw new TypeError(
      `ServerSettings.numWorkers must be a positive integer, got ${String(settings.numWorkers)}`,
    );
  }
  const rtcMinPort = port(settings.rtcMinPort, 10000, 'rtcMinPort');
  const rtcMaxPort = port(settings.rtcMaxPort, 59999, 'rtcMaxPort');
  if (rtcMaxPort - rtcMinPort + 1 < numWorkers * 2) {
    throw new TypeError(
      `ServerSettings: the RTC port range ${rtcMinPort}-${rtcMaxPort} is too small for ${numWorkers} workers (at least 2 ports each)`,
    );
  }
  const rtcIPv4 = resolveIp(settings.rtcIPv4 ?? true, 'IPv4');
  const rtcIPv6 = resolveIp(settings.rtcIPv6 ?? true, 'IPv6');
  if (!rtcIPv4 && !rtcIPv6)
    throw new TypeError('ServerSettings: rtcIPv4 and rtcIPv6 cannot both be disabled');
  if (Boolean(settings.dtlsCertificateFile) !== Boolean(settings.dtlsPrivateKeyFile)) {
    throw new TypeError('ServerSettings: dtlsCertificateFile and dtlsPrivateKeyFile go together');
  }
  return {
    numWorkers,
    logLevel: settings.logLevel ?? 'error',
    logTags: settings.logTags ?? [],
    rtcIPv4,
    rtcIPv6,
    rtcAnnouncedIPv4: settings.rtcAnnouncedIPv4,
    rtcAnnouncedIPv6: settings.rtcAnnouncedIPv6,
    rtcMinPort,
    rtcMaxPort,
    dtlsCertificateFile: settings.dtlsCertificateFile,
    dtlsPrivateKeyFile: settings.dtlsPrivateKeyFile,
    maxConsumersPerWorker: positive(settings.maxConsumersPerWorker ?? 500, 'maxConsumersPerWorker'),
    webRtcServer: resolveWebRtcServer(settings, numWorkers, {
      rtcIPv4,
      rtcIPv6,
      rtcAnnouncedIPv4: settings.rtcAnnouncedIPv4,
      rtcAnnouncedIPv6: settings.rtcAnnouncedIPv6,
    }),
  };
}

function resolveWebRtcServer(
  settings: ServerSettings,
  numWorkers: number,
  addresses: Pick<
    ResolvedSettings,
    'rtcIPv4' | 'rtcIPv6' | 'rtcAnnouncedIPv4' | 'rtcAnnouncedIPv6'
  >,
): ResolvedWebRtcServer | undefined {
  const server = settings.webRtcServer;
  if (server === undefined) return undefined;
  if (!server || typeof server !== 'object')
    throw new TypeError(
      'ServerSettings.webRtcServer must be an object: { port, ip?, announcedIp? }',
    );
  const first = port(server.port, Number.NaN, 'webRtcServer.port');
  if (first + numWorkers - 1 > 65535)
    throw new TypeError(
      `ServerSettings.webRtcServer.port: ${numWorkers} workers need ports ${first} to ${first + numWorkers - 1}, past 65535`,
    );
  const protocols = (['udp', 'tcp'] as const).filter((p) => server[p] !== false);
  if (protocols.length === 0)
    throw new TypeError('ServerSettings.webRtcServer: udp and tcp cannot both be false');
  if (server.ip !== undefined && !isIP(server.ip))
    throw new TypeError(
      `ServerSettings.webRtcServer.ip must be an IP address, got ${String(server.ip)}`,
    );
  if (server.announcedIp !== undefined && typeof server.announcedIp !== 'string')
    throw new TypeError('ServerSettings.webRtcServer.announcedIp must be an address (string)');
  const listen = server.ip
    ? [{ ip: server.ip, announcedIp: server.announcedIp }]
    : [
        ...(addresses.rtcIPv4
          ? [
              {
                ip: addresses.rtcIPv4,
                announcedIp: server.announcedIp ?? addresses.rtcAnnouncedIPv4,
              },
            ]
          : []),
        ...(addresses.rtcIPv6
          ? [{ ip: addresses.rtcIPv6, announcedIp: addresses.rtcAnnouncedIPv6 }]
          : []),
      ];
  return { port: first, listen, protocols };
}

/** The listen IP of plain transports for an IP family (UNSUPPORTED when that family is off). */
export function plainListenIp(s: ResolvedSettings, family: 4 | 6): ms.TransportListenIp {
  const ip = family === 6 ? s.rtcIPv6 : s.rtcIPv4;
  if (!ip) throw new SfuError('UNSUPPORTED', `IPv${family} is disabled in the server settings`);
  return { ip, announcedIp: family === 6 ? s.rtcAnnouncedIPv6 : s.rtcAnnouncedIPv4 };
}

/** The listen IPs of WebRTC transports: the resolved IPv4 and IPv6 with their announced addresses. */
export function webRtcListenIps(s: ResolvedSettings): ms.TransportListenIp[] {
  const ips: ms.TransportListenIp[] = [];
  if (s.rtcIPv4) ips.push({ ip: s.rtcIPv4, announcedIp: s.rtcAnnouncedIPv4 });
  if (s.rtcIPv6) ips.push({ ip: s.rtcIPv6, announcedIp: s.rtcAnnouncedIPv6 });
  return ips;
}
