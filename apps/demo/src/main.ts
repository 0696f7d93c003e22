// The demo's entry: `pnpm demo` builds and runs this. Every setting has an
// embedded default; PORT and HOST override the HTTP address, TOKEN_SECRET
// the secret of the access tokens, HTTPS_CERT/HTTPS_KEY (or HTTPS=self-signed)
// serve HTTPS for other machines of the LAN, REDIS_URL makes it a node of a
// cluster (see cluster.ts), RTC_PORT, ANNOUNCED_IP, TURN_URLS and TURN_SECRET
// set where media goes (see media.ts). A setting that cannot work ends the
// process with a message naming it and exit code 2.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerStartError } from '@x/server';
import { clusterSettings } from './cluster.js';
import { type Demo, startDemo } from './demo.js';
import { DemoStartError } from './errors.js';
import { mediaSettings } from './media.js';
import { localNames, readTls, selfSignedTls, type TlsFiles } from './tls.js';

const here = dirname(fileURLToPath(import.meta.url));

function settings(env: NodeJS.ProcessEnv): { port: number; tls: TlsFiles | undefined } {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new DemoStartError('BAD_SETTING', `PORT=${env.PORT} is not a port number (0-65535)`);
  if (Boolean(env.HTTPS_CERT) !== Boolean(env.HTTPS_KEY))
    throw new DemoStartError('BAD_SETTING', 'HTTPS_CERT and HTTPS_KEY go together: give both');
  if (env.HTTPS_CERT && env.HTTPS_KEY) return { port, tls: readTls(env.HTTPS_CERT, env.HTTPS_KEY) };
  if (env.HTTPS === 'self-signed' || env.HTTPS === '1')
    return { port, tls: selfSignedTls(resolve(here, '../../.certs')) };
  if (env.HTTPS && env.HTTPS !== '0')
    throw new DemoStartError(
      'BAD_SETTING',
      `HTTPS=${env.HTTPS}: use HTTPS=self-signed, or HTTPS_CERT and HTTPS_KEY`,
    );
  return { port, tls: undefined };
}

let demo: Demo;
try {
  const { port, tls } = settings(process.env);
  const cluster = clusterSettings(process.env, port, Boolean(tls));
  demo = await startDemo({
    port,
    host: process.env.HOST || undefined,
    server: { rtcMinPort: 40000, rtcMaxPort: 49999, ...mediaSettings(process.env), cluster },
    // Without one, a random dev secret for this run signs the access tokens.
    tokenSecret: process.env.TOKEN_SECRET,
    tls,
  });
  const scheme = tls ? 'https' : 'http';
  const lan = localNames()
    .ips.filter((ip) => ip !== '127.0.0.1')
    .map((ip) => `${scheme}://${ip}:${demo.port}/?room=demo`);
  console.log(`
  x SFU demo is running.

  Open ${demo.url} in two browser tabs, allow the camera and
  microphone, and join. Recordings are written to ${demo.recordings.dir}.
${
  tls
    ? `  HTTPS with ${tls.source}; on the LAN: ${lan.join(' ') || '(no LAN address)'}\n`
    : `  Other machines need HTTPS for the camera: start with HTTPS=self-signed
  (or HTTPS_CERT and HTTPS_KEY).\n`
}${
  cluster
    ? `  Cluster node ${demo.server.cluster!.id} (Redis ${cluster.redis}): ${demo.server.cluster!.nodes.length} live nodes; clients reach it at ${cluster.signalingUrl}\n`
    : ''
}`);
} catch (error) {
  // Settings the server refuses (TypeError names the setting) and workers that cannot start say why.
  if (
    error instanceof DemoStartError ||
    error instanceof TypeError ||
    error instanceof WorkerStartError
  ) {
    console.error(`\n  x SFU demo cannot start: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

// Started by a parent process with an IPC channel (the hostile tests): answer what it asks.
process.on('message', (message) => {
  if (message === 'inspect') process.send?.({ inspect: demo.inspect() });
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n  ${signal}: closing rooms, recordings and workers…`);
    demo
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  });
}
