import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import type { ClusterOptions } from '../cluster/options.js';
import type { WebRtcServerSettings } from '../media/ServerSettings.js';
import type { WebhookOptions } from '../ops/WebhookSender.js';
import type { TurnOptions } from '../signaling/turn.js';
import { DEFAULT_LIMITS, type Limits } from '../util/limits.js';

/** A configuration that cannot work: the message names the file, the key and what is wrong. */
export class ConfigError extends Error {
  /** 'ConfigError'. */
  override readonly name = 'ConfigError';
}

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();
const url = (schemes: string[]) =>
  z.string().refine((value) => schemes.some((s) => value.startsWith(`${s}:`)), {
    message: `must start with ${schemes.map((s) => `${s}:`).join(' or ')}`,
  });

const limitKeys = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];
const limitsShape = Object.fromEntries(
  limitKeys.map((key) => [key, z.number().nonnegative().optional()]),
);

/** The schema of the server command's configuration (YAML). Unknown keys are errors. */
const configSchema = z.strictObject({
  /** HTTP port: signaling on `/ws` (`?room=<id>`), `/metrics`, `/healthz`, `/readyz`. Default 7880. */
  port: port.default(7880),
  /** Address to listen on. Default all interfaces (`--dev`: 127.0.0.1). */
  host: z.string().optional(),
  /** Serve HTTPS and WSS with this certificate and key (PEM files). */
  tls: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
  /** The API secret: signs access tokens, webhooks and admin tokens (32 characters or more). */
  auth: z.strictObject({ secret: z.string().min(32, 'must be at least 32 characters') }),
  /** Media workers (one core each). Default: the CPU count. */
  workers: positiveInt.optional(),
  /** Log level of this process: 'debug', 'info', 'warn', 'error'. Default 'info'. */
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Where media goes. */
  rtc: z
    .strictObject({
      ipv4: z.union([z.string(), z.boolean()]).optional(),
      ipv6: z.union([z.string(), z.boolean()]).optional(),
      announcedIpv4: z.string().optional(),
      announcedIpv6: z.string().optional(),
      minPort: port.optional(),
      maxPort: port.optional(),
      webRtcServer: z
        .strictObject({
          port,
          ip: z.string().optional(),
          announcedIp: z.string().optional(),
          udp: z.boolean().optional(),
          tcp: z.boolean().optional(),
        })
        .optional(),
    })
    .default({}),
  /** Limits (see @x/server's `Limits`): any of them, the others keep their defaults. */
  limits: z.strictObject(limitsShape).default({}),
  /** Rooms: created at their first authorized join; closed when empty (default). */
  rooms: z
    .strictObject({
      closeWhenEmpty: z.boolean().default(true),
      maxConsumersPerWorker: positiveInt.optional(),
    })
    .default({ closeWhenEmpty: true }),
  /** Origins whose pages may connect (default any). */
  allowedOrigins: z.array(z.string()).optional(),
  /** Cluster mode: this server is one node of a cluster sharing a Redis. */
  cluster: z
    .strictObject({
      redis: url(['redis', 'rediss']),
      nodeId: z.string().optional(),
      signalingUrl: url(['ws', 'wss']),
      pipeListenIp: z.string(),
      pipeAnnouncedIp: z.string().optional(),
    })
    .optional(),
  /** A TURN server for clients whose network lets no UDP through. */
  turn: z
    .strictObject({
      urls: z.array(url(['turn', 'turns', 'stun'])).min(1),
      secret: z.string().min(16, 'must be at least 16 characters'),
      ttl: positiveInt.optional(),
    })
    .optional(),
  /** Webhooks: signed JSON POSTs of room, peer, producer and recording events. */
  webhooks: z
    .strictObject({
      urls: z.array(url(['http', 'https'])).min(1),
      maxQueued: positiveInt.optional(),
      maxAttempts: positiveInt.optional(),
      retryDelayMs: positiveInt.optional(),
      timeoutMs: positiveInt.optional(),
    })
    .optional(),
  /** On SIGTERM: how long peers have to leave (or, in a cluster, to be moved) before the process ends. */
  drain: z
    .strictObject({ timeoutMs: z.number().int().nonnegative().default(30_000) })
    .default({ timeoutMs: 30_000 }),
  /** Prometheus metrics on `/metrics`. Default on; with `token`, only for `Authorization: Bearer <token>`. */
  metrics: z
    .strictObject({
      enabled: z.boolean().default(true),
      token: z.string().min(16, 'must be at least 16 characters').optional(),
    })
    .default({ enabled: true }),
});

/** The server command's configuration (its YAML file), with its defaults applied. */
export interface ServerConfig {
  /** HTTP port: signaling on `/ws`, `/metrics`, `/healthz`, `/readyz`. Default 7880. */
  port: number;
  /** Address to listen on. Default all interfaces. */
  host?: string;
  /** HTTPS and WSS with this certificate and key (PEM files). */
  tls?: {
    /** Certificate file. */
    cert: string;
    /** Private key file. */
    key: string;
  };
  /** The API secret (32 characters or more): signs access tokens and webhooks. */
  auth: {
    /** The secret. */
    secret: string;
  };
  /** Media workers. Default: the CPU count. */
  workers?: number;
  /** Log level of this process. */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Where media goes (the {@link ServerSettings} of the same names). */
  rtc: {
    /** IPv4 address for RTC, `true` to detect one, `false` for none. */
    ipv4?: string | boolean;
    /** IPv6 address for RTC, `true` to detect one, `false` for none. */
    ipv6?: string | boolean;
    /** Public IPv4 address announced in ICE candidates. */
    announcedIpv4?: string;
    /** Public IPv6 address announced in ICE candidates. */
    announcedIpv6?: string;
    /** Lowest RTC port. */
    minPort?: number;
    /** Highest RTC port. */
    maxPort?: number;
    /** One UDP and TCP port per worker for every WebRTC transport. */
    webRtcServer?: WebRtcServerSettings;
  };
  /** Limits: any of {@link Limits}. */
  limits: Partial<Limits>;
  /** Rooms. */
  rooms: {
    /** Close a room once it is empty. Default true. */
    closeWhenEmpty: boolean;
    /**
     * Consumers a room puts on one worker before it spreads to another
     * (piping its producers there): a large room uses several cores.
     * Default 500 (see the server's `maxConsumersPerWorker`).
     */
    maxConsumersPerWorker?: number;
  };
  /** Origins whose pages may connect (default any). */
  allowedOrigins?: string[];
  /** Cluster mode (see {@link ClusterOptions}). */
  cluster?: Pick<ClusterOptions, 'nodeId' | 'signalingUrl' | 'pipeListenIp' | 'pipeAnnouncedIp'> & {
    /** The Redis URL (`redis://` or `rediss://`). */
    redis: string;
  };
  /** A TURN server for clients whose network lets no UDP through (see {@link TurnOptions}). */
  turn?: TurnOptions;
  /** Webhooks (see {@link WebhookOptions}; the secret is `auth.secret`). */
  webhooks?: Omit<WebhookOptions, 'secret'>;
  /** On SIGTERM. */
  drain: {
    /** How long peers have to leave (or to move, in a cluster), in ms. Default 30000. */
    timeoutMs: number;
  };
  /** Prometheus metrics. */
  metrics: {
    /** On `/metrics`. Default true. */
    enabled: boolean;
    /**
     * A bearer token Prometheus must send (its `authorization` scrape
     * setting): `/metrics` names the rooms, and shares the port of `/ws`.
     */
    token?: string;
  };
}

/** Environment variables that set one key each (over the file). */
export const ENVIRONMENT: Record<string, { path: string[]; parse?: (value: string) => unknown }> = {
  X_SFU_PORT: { path: ['port'], parse: Number },
  X_SFU_HOST: { path: ['host'] },
  X_SFU_SECRET: { path: ['auth', 'secret'] },
  X_SFU_WORKERS: { path: ['workers'], parse: Number },
  X_SFU_LOG_LEVEL: { path: ['logLevel'] },
  X_SFU_ANNOUNCED_IP: { path: ['rtc', 'announcedIpv4'] },
  X_SFU_REDIS: { path: ['cluster', 'redis'] },
  X_SFU_WEBHOOK_URLS: {
    path: ['webhooks', 'urls'],
    parse: (v) => v.split(',').map((u) => u.trim()),
  },
};

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = next && typeof next === 'object' && !Array.isArray(next) ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function describe(issue: z.core.$ZodIssue, source: string): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (issue.path.length > 0 ? `${where}.${k}` : k));
    return `${source}: unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
  }
  return `${source}: ${where}: ${issue.message}`;
}

/**
 * Reads and validates the configuration: `text` (YAML) from `source`, with
 * the `X_SFU_*` environment variables over it. Throws {@link ConfigError}
 * naming each bad key.
 */
export function parseConfig(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = {},
  overrides: Record<string, unknown> = {},
): ServerConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    const at =
      error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new ConfigError(
      `${source}: not valid YAML${at}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(
      `${source}: the configuration must be a mapping of keys (e.g. port: 7880)`,
    );
  const merged = structuredClone(raw as Record<string, unknown>);
  for (const [key, value] of Object.entries(overrides)) setPath(merged, key.split('.'), value);
  for (const [name, { path, parse }] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(merged, path, parse ? parse(value) : value);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success)
    throw new ConfigError(result.error.issues.map((issue) => describe(issue, source)).join('\n'));
  const config: ServerConfig = result.data;
  if (
    config.rtc.minPort !== undefined &&
    config.rtc.maxPort !== undefined &&
    config.rtc.minPort > config.rtc.maxPort
  )
    throw new ConfigError(
      `${source}: rtc.minPort (${config.rtc.minPort}) is above rtc.maxPort (${config.rtc.maxPort})`,
    );
  return config;
}

/** {@link parseConfig} of a file. */
export function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, unknown> = {},
): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseConfig(text, path, env, overrides);
}
