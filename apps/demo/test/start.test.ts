// Starting the built demo server: what an operator sees when a setting
// cannot work (a port in use, a bad PORT, missing certificate files), and
// HTTPS with a certificate of their own.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedTls } from '../src/tls.js';

const here = dirname(fileURLToPath(import.meta.url));
const main = resolve(here, '../dist/server/main.js');
const scratch = mkdtempSync(join(tmpdir(), 'x-demo-start-'));
const running: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(main))
    throw new Error(`the demo server is not built (${main}): run pnpm --filter @x/demo build`);
});
afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the demo with `env`; resolves when it exits or prints its URL. */
function run(
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string; child: ChildProcess }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no start nor exit: ${out}${err}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/https?:\/\/\S+:\d+\/\?room=demo/.test(out)) {
        clearTimeout(timer);
        resolveRun({ code: null, out, err, child });
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, out, err, child });
    });
  });
}

describe('the demo server at start', () => {
  it('a port in use: a message naming PORT, exit code 2, no stack trace', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, err } = await run({ PORT: String(port) });
      expect(code).toBe(2);
      expect(err).toContain(`port ${port} is already in use`);
      expect(err).toContain('PORT');
      expect(err).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      taken.close();
    }
  });

  it('a PORT that is not a port, or half of the certificate settings: exit code 2 naming the setting', async () => {
    const bad = await run({ PORT: 'eighty' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('PORT=eighty is not a port number');
    const half = await run({ PORT: '0', HTTPS_CERT: join(scratch, 'nope.crt') });
    expect(half.code).toBe(2);
    expect(half.err).toContain('HTTPS_CERT and HTTPS_KEY go together');
    const missing = await run({
      PORT: '0',
      HTTPS_CERT: join(scratch, 'nope.crt'),
      HTTPS_KEY: join(scratch, 'nope.key'),
    });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(
      `HTTPS_CERT=${join(scratch, 'nope.crt')} cannot be read (ENOENT)`,
    );
  });

  it('media settings that cannot work: exit code 2 naming the setting', async () => {
    const port = await run({ PORT: '0', RTC_PORT: '80' });
    expect(port.code).toBe(2);
    expect(port.err).toContain('RTC_PORT=80 is not a port');
    const turn = await run({ PORT: '0', TURN_URLS: 'turns:turn.example.com:443' });
    expect(turn.code).toBe(2);
    expect(turn.err).toContain('TURN_URLS and TURN_SECRET go together');
    const secret = await run({
      PORT: '0',
      TURN_URLS: 'turns:turn.example.com:443',
      TURN_SECRET: 'short',
    });
    expect(secret.code).toBe(2);
    expect(secret.err).toContain('turn.secret');
    expect(secret.err).not.toMatch(/\n\s+at /);
  });

  it('RTC_PORT: its one worker holds that port, UDP and TCP (the server tests check that every transport uses it)', async () => {
    // Below the ephemeral range (32768-60999): no outgoing socket can hold it.
    const rtcPort = 29330;
    const { code, child } = await run({ PORT: '0', RTC_PORT: String(rtcPort) });
    expect(code).toBeNull();
    try {
      const held = (protocol: 'tcp' | 'udp') =>
        execFileSync('ss', [protocol === 'tcp' ? '-ltnH' : '-lunH', `sport = :${rtcPort}`], {
          encoding: 'utf8',
        }).trim();
      expect(held('udp')).not.toBe('');
      expect(held('tcp')).not.toBe('');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('HTTPS_CERT/HTTPS_KEY: serves the page over HTTPS, precompressed, with its favicon', async () => {
    selfSignedTls(scratch, { dns: ['localhost'], ips: ['127.0.0.1'] });
    const started = await run({
      PORT: '0',
      HTTPS_CERT: join(scratch, 'self-signed.crt'),
      HTTPS_KEY: join(scratch, 'self-signed.key'),
    });
    expect(started.code).toBeNull();
    const port = Number(/https:\/\/localhost:(\d+)\//.exec(started.out)?.[1]);
    expect(port).toBeGreaterThan(0);
    const fetchTls = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; encoding: string | undefined; length: number }>((ok, fail) => {
        httpsGet(
          { host: '127.0.0.1', port, path, headers, ca: undefined, rejectUnauthorized: false },
          (res) => {
            let length = 0;
            res.on('data', (c: Buffer) => {
              length += c.length;
            });
            res.on('end', () =>
              ok({
                status: res.statusCode ?? 0,
                encoding: res.headers['content-encoding'],
                length,
              }),
            );
          },
        ).on('error', fail);
      });
    const page = await fetchTls('/?room=demo');
    expect(page.status).toBe(200);
    expect((await fetchTls('/favicon.svg')).status).toBe(200);
    const script = /assets\/index-[\w-]+\.js/.exec(
      await new Promise<string>((ok, fail) => {
        httpsGet({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => ok(body));
        }).on('error', fail);
      }),
    )?.[0];
    expect(script).toBeDefined();
    const plain = await fetchTls(`/${script}`);
    const brotli = await fetchTls(`/${script}`, { 'accept-encoding': 'br, gzip' });
    expect(brotli.encoding).toBe('br');
    expect(brotli.length).toBeLessThan(plain.length / 4);
    console.log(
      `page bundle: ${(plain.length / 1024).toFixed(0)} kB, ${(brotli.length / 1024).toFixed(0)} kB as sent (brotli)`,
    );
    started.child.kill('SIGTERM');
    await new Promise((r) => started.child.once('exit', r));
  });
});
