// A real TURN server for the tests: Debian's coturn (`turnserver`) as a
// child process, with a config file generated in a temp dir, TURN REST
// credentials (`use-auth-secret`), TCP and TLS listeners (TLS with a
// self-signed certificate made by openssl at start) and its log in a file
// that a failing test can show.

import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, createHmac, randomBytes, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './media.js';
import { findSystemBinary, type Host, type Network, run } from './netns.js';
import { ownTempDir, staleTempDirs } from './tempDirs.js';

/** TURN REST API credentials: what an `RTCIceServer` takes as username and credential. */
export interface TurnCredentials {
  /** `<expiry unix seconds>:<id>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, as coturn's
 * `use-auth-secret` checks them): valid until now + `ttlSeconds` (a negative
 * ttl gives expired ones), for the user `id`.
 */
export function turnCredentials(
  secret: string,
  ttlSeconds: number,
  id: string,
  nowMs = Date.now(),
): TurnCredentials {
  const username = `${Math.floor(nowMs / 1000) + Math.round(ttlSeconds)}:${id}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

const DIR_PREFIX = 'x-coturn-';
/** Stops of the coturns this process runs, for its exit hook. */
const running = new Set<() => void>();
let hooked = false;

/**
 * Kills the turnservers that test processes now gone left running (a killed
 * run), and removes their temp dirs; returns the dirs it removed. A dir is
 * named after its owner's pid; its turnserver is killed only if its command
 * line names that dir's config (a reused pid is never killed).
 */
export function cleanCoturnLeftovers(): string[] {
  const stale = staleTempDirs(DIR_PREFIX, runningDirs);
  for (const dir of stale) {
    try {
      const pid = Number(readFileSync(join(dir, 'turnserver.pid'), 'utf8').trim());
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(join(dir, 'turnserver.conf'))) process.kill(pid, 'SIGKILL');
    } catch {
      // no pid file, or that process is gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return stale;
}
/** The temp dirs of this process's running coturns. */
const runningDirs = new Set<string>();

/** Options of {@link startCoturn}. */
export interface CoturnOptions {
  /** The address it listens on (TCP, UDP and TLS), e.g. a link end of a test network. */
  ip: string;
  /** The address of its relayed transports. Default: `ip`. */
  relayIp?: string;
  /** Run it inside this host of `network` (default: in this process's namespace). */
  host?: Host;
  /** The network of `host`. */
  network?: Network;
  /** TURN over UDP and TCP. Default 3478. */
  port?: number;
  /** TURN over TLS. Default 5349. */
  tlsPort?: number;
  /** Relay ports, [min, max]. Default [49152, 49407]. */
  relayPorts?: [number, number];
  /** The REST API's shared secret. Default: random. */
  secret?: string;
  /** Default 'x.test'. */
  realm?: string;
  /** How long to wait for its listeners, in ms. Default 10000. */
  startTimeoutMs?: number;
}

/** A running coturn. */
export interface Coturn {
  ip: string;
  relayIp: string;
  port: number;
  tlsPort: number;
  /** The shared secret its credentials are signed with. */
  secret: string;
  realm: string;
  /** `turns:IP:TLSPORT?transport=tcp`: TURN over TLS. */
  turnsUrl: string;
  /** `turn:IP:PORT?transport=tcp`. */
  turnTcpUrl: string;
  /** `turn:IP:PORT?transport=udp`. */
  turnUdpUrl: string;
  /**
   * base64 SHA-256 of its certificate's public key (SPKI): what Chromium's
   * `--ignore-certificate-errors-spki-list` takes to accept this certificate
   * (and only this one). See {@link startCoturn}.
   */
  spki: string;
  /** Its log file (verbose): show it when a test fails. */
  logFile: string;
  /**
   * An `RTCIceServer` for `urls` (default: the TLS URL) with fresh TURN REST
   * credentials of `ttlSeconds` (default 600) for user `id`.
   */
  iceServer(options?: { urls?: string[]; ttlSeconds?: number; id?: string }): RTCIceServerInit;
  /** Its log so far (the last `maxChars`, default 20000). */
  log(maxChars?: number): string;
  /** Stops it and removes its temp dir (the log is gone too: read it before). */
  stop(): Promise<void>;
}

/** What `RTCIceServer` holds (Node has no DOM types). */
export interface RTCIceServerInit {
  urls: string[];
  username: string;
  credential: string;
}

/**
 * Starts coturn and resolves once its TCP and TLS listeners listen; fails
 * with its log when it exits or does not listen in time, and naming the
 * Debian package when `turnserver` (coturn) or `openssl` is missing.
 *
 * Its certificate is self-signed (CN and subjectAltName: `ip`). Chromium
 * verifies a TURN server's TLS certificate as it does a web server's: with
 * this one, the TLS connection fails and the page sees ICE candidate error
 * 701 and no relay candidate. Launch Chromium with
 * `--ignore-certificate-errors-spki-list=<coturn.spki>` (`trustedSpki` of
 * launchChromiumOn), which accepts this certificate only (measured with
 * Chromium 156; `--ignore-certificate-errors` works too but accepts any).
 *
 * For a server that mints the credentials itself (`turn: { urls, secret,
 * ttl }`), give it `[coturn.turnsUrl]` and `coturn.secret`.
 */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  requireBinary('turnserver', 'coturn');
  requireBinary('openssl', 'openssl');
  if (options.host?.netns && !options.network)
    throw new Error('startCoturn: a host of a network needs that network');
  const ip = options.ip;
  const relayIp = options.relayIp ?? ip;
  const port = options.port ?? 3478;
  const tlsPort = options.tlsPort ?? 5349;
  const [minPort, maxPort] = options.relayPorts ?? [49152, 49407];
  const secret = options.secret ?? randomBytes(24).toString('hex');
  const realm = options.realm ?? 'x.test';
  cleanCoturnLeftovers();
  const dir = ownTempDir(DIR_PREFIX);
  runningDirs.add(dir);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${ip}`,
    '-addext',
    `subjectAltName=IP:${ip}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const logFile = join(dir, 'turnserver.log');
  const config = join(dir, 'turnserver.conf');
  writeFileSync(
    config,
    [
      `listening-ip=${ip}`,
      `relay-ip=${relayIp}`,
      `listening-port=${port}`,
      `tls-listening-port=${tlsPort}`,
      // No alternative listeners (port + 1): fewer ports to collide.
      'alt-listening-port=0',
      'alt-tls-listening-port=0',
      `min-port=${minPort}`,
      `max-port=${maxPort}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      `realm=${realm}`,
      `cert=${cert}`,
      `pkey=${key}`,
      'no-dtls',
      'no-tlsv1',
      'no-tlsv1_1',
      'fingerprint',
      'no-cli',
      'no-multicast-peers',
      // Its own empty user database, not the package's /var/lib/turn/turndb.
      `userdb=${join(dir, 'turndb')}`,
      `pidfile=${join(dir, 'turnserver.pid')}`,
      'log-file=stdout',
      'verbose',
      '',
    ].join('\n'),
  );
  const out = openSync(logFile, 'a');
  const turnserver = findSystemBinary('turnserver', 'coturn');
  const args = ['-c', config];
  let child: ChildProcess;
  try {
    child =
      options.host?.netns && options.network
        ? options.network.spawn(options.host, turnserver, args, { stdio: ['ignore', out, out] })
        : spawn(turnserver, args, { stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  const log = (maxChars = 20_000) => {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return text.slice(-maxChars);
  };
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited (${signal ?? code})`;
      resolve();
    }),
  );
  const kill = () => {
    if (!exited) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(kill);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const k of running) k();
    });
  }
  const stop = async () => {
    running.delete(kill);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
    runningDirs.delete(dir);
  };
  // Listening: both TCP listeners show in `ss` (in its namespace).
  const ss = findSystemBinary('ss', 'iproute2');
  const listening = () => {
    const ssArgs = ['-H', '-l', '-t', '-n'];
    const text =
      options.host?.netns && options.network
        ? options.network.exec(options.host, ss, ssArgs)
        : run(ss, ssArgs);
    return [port, tlsPort].every((p) => text.includes(`${ip}:${p} `));
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (!listening()) {
    if (exited || Date.now() > deadline) {
      const why = exited ?? `did not listen on ${ip}:${port} and ${ip}:${tlsPort} in time`;
      const text = log(4000);
      await stop();
      throw new Error(`turnserver ${why}; its log:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    ip,
    relayIp,
    port,
    tlsPort,
    secret,
    realm,
    turnsUrl: `turns:${ip}:${tlsPort}?transport=tcp`,
    turnTcpUrl: `turn:${ip}:${port}?transport=tcp`,
    turnUdpUrl: `turn:${ip}:${port}?transport=udp`,
    spki: createHash('sha256')
      .update(
        new X509Certificate(readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' }),
      )
      .digest('base64'),
    logFile,
    iceServer: ({ urls, ttlSeconds = 600, id = 'test' } = {}) => ({
      urls: urls ?? [`turns:${ip}:${tlsPort}?transport=tcp`],
      ...turnCredentials(secret, ttlSeconds, id),
    }),
    log,
    stop,
  };
}
