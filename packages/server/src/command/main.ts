#!/usr/bin/env node
// x-server: the standalone server. `x-server --config server.yaml` runs it
// (signaling on /ws, /metrics, /healthz, /readyz, webhooks); `--dev` runs it
// on loopback with a development secret and no file; `x-server token --room
// r --peer p` mints an access token with the configured secret. SIGTERM or
// SIGINT drain it (a second one ends it at once). A configuration that
// cannot work ends it with exit code 2 and a message naming the key.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAccessToken } from '../signaling/auth.js';
import { WorkerStartError } from '../util/errors.js';
import { ConfigError, loadConfig, parseConfig, type ServerConfig } from './config.js';
import { ServerCommand } from './ServerCommand.js';

const USAGE = `usage:
  x-server --config server.yaml        run the server
  x-server --dev                       run on 127.0.0.1 with a development secret (no file needed)
  x-server token --config server.yaml --room <id> --peer <name> [--ttl 6h]
                                       print an access token signed with the configured secret

Environment variables over the file: X_SFU_PORT, X_SFU_HOST, X_SFU_SECRET,
X_SFU_WORKERS, X_SFU_LOG_LEVEL, X_SFU_ANNOUNCED_IP, X_SFU_REDIS, X_SFU_WEBHOOK_URLS.`;

function fail(message: string, code = 2): never {
  process.stderr.write(`x-server: ${message}\n`);
  process.exit(code);
}

function readConfig(values: { config?: string; dev?: boolean }): ServerConfig {
  if (values.config)
    return loadConfig(values.config, process.env, values.dev ? devOverrides() : {});
  if (values.dev) return parseConfig('', '--dev', process.env, devOverrides());
  fail(`give --config <file> (or --dev)\n${USAGE}`);
}

/** --dev: loopback, one worker, a development secret unless one is given. */
function devOverrides(): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    workers: 1,
    'rtc.ipv4': '127.0.0.1',
    'rtc.ipv6': false,
    ...(process.env.X_SFU_SECRET
      ? {}
      : { 'auth.secret': `dev-${randomBytes(24).toString('hex')}` }),
  };
}

async function token(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      dev: { type: 'boolean' },
      room: { type: 'string' },
      peer: { type: 'string' },
      ttl: { type: 'string', default: '6h' },
    },
  });
  if (!values.room || !values.peer) fail(`token needs --room and --peer\n${USAGE}`);
  const config = readConfig(values);
  process.stdout.write(
    `${await createAccessToken({ secret: config.auth.secret, room: values.room, peer: values.peer, expiresIn: values.ttl })}\n`,
  );
}

async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, dev: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = readConfig(values);
  const command = await ServerCommand.start(config, { readableLogs: values.dev === true });
  const log = command.logger;
  log.info(
    { url: command.url, port: command.port, workers: command.server.numWorkers },
    `listening on ${command.url}?room=<id> (the admin API, /metrics, /healthz, /readyz on port ${command.port})`,
  );
  if (values.dev && !process.env.X_SFU_SECRET)
    log.info(
      `development secret ${config.auth.secret} (tokens: X_SFU_SECRET=${config.auth.secret} x-server token --dev --room demo --peer alice)`,
    );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn(`${signal} again: closing now`);
      void command.close().then(() => process.exit(0));
      return;
    }
    stopping = true;
    log.info({ timeoutMs: config.drain.timeoutMs }, `${signal}: draining`);
    void command.drain().then(
      () => process.exit(0),
      (error: unknown) => fail(`drain failed: ${String(error)}`, 1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const [first, ...rest] = process.argv.slice(2);
try {
  if (first === 'token') await token(rest);
  else await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof WorkerStartError || error instanceof TypeError)
    fail(`cannot start: ${(error as Error).message}`);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    fail(`cannot listen: ${(error as Error).message}`);
  if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    fail(`${(error as Error).message}\n${USAGE}`);
  throw error;
}
