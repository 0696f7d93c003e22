// x-server from a YAML file, as an operator runs it: a configuration that
// cannot work stops it at start naming the key; it answers /healthz and
// /readyz; a real Prometheus scrapes it and, through Prometheus' HTTP API,
// gives the peer count of a room that two Chromium pages of the demo joined;
// promtool accepts what /metrics says.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinRoom } from '@x/node';
import { launchChromium } from '@x/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemoHost } from '../src/demoHost.js';
import { promtoolCheck, startPrometheus } from '../src/prometheus.js';
import { config, runCommand, secret, startServer } from '../src/serverProcess.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('x-server configuration', () => {
  it('a wrong key or a wrong type stops it at start, with a message that names it (exit code 2)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'x-operators-config-'));
    const bad = join(dir, 'server.yaml');
    writeFileSync(bad, `${config(secret())}limits:\n  peersPerRom: 10\n`);
    const unknown = await runCommand(['--config', bad]);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain(`${bad}: unknown key limits.peersPerRom`);

    writeFileSync(bad, config(secret()).replace('workers: 1', 'workers: two'));
    const wrongType = await runCommand(['--config', bad]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.output).toContain(
      `${bad}: workers: Invalid input: expected number, received string`,
    );

    const env = await runCommand(['--config', bad], { X_SFU_PORT: 'eighty' });
    expect(env.code).toBe(2);
    expect(env.output).toMatch(/port: Invalid input: expected number, received NaN/);

    const missing = await runCommand(['--config', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('nope.yaml: cannot be read (ENOENT)');
  });

  it('answers /healthz and /readyz, and `x-server token` mints a token that joins', async () => {
    const apiSecret = secret();
    const server = await startServer(config(apiSecret));
    closers.push(() => server.kill());
    expect(await (await fetch(`${server.http}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${server.http}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { workers: 'ok', draining: 'ok' } });
    expect((await fetch(`${server.http}/nothing`)).status).toBe(404);

    const minted = await runCommand(['token', '--room', 'r1', '--peer', 'bot'], {
      X_SFU_SECRET: apiSecret,
      X_SFU_PORT: '1',
    });
    // Without --config it refuses; with --dev it takes X_SFU_SECRET.
    expect(minted.code).toBe(2);
    const dev = await runCommand(['token', '--dev', '--room', 'r1', '--peer', 'bot'], {
      X_SFU_SECRET: apiSecret,
    });
    expect(dev.code, dev.output).toBe(0);
    const { room, connection } = await joinRoom({
      url: `${server.ws}?room=r1`,
      peerName: 'bot',
      token: dev.output.trim(),
    });
    expect(room.joined).toBe(true);
    await expect(
      joinRoom({ url: `${server.ws}?room=r1`, peerName: 'other', token: dev.output.trim() }),
    ).rejects.toThrow(/access token is for peer "bot"/);
    room.leave();
    connection.close();
  });
});

describe('metrics', () => {
  let browser: Browser;

  it('a real Prometheus scrapes it: the peer count of a room two Chromium pages joined, through its HTTP API; promtool accepts /metrics', async () => {
    const apiSecret = secret();
    // /metrics names the rooms and shares the port of /ws: this one asks for a bearer token.
    const metricsToken = secret();
    const server = await startServer(config(apiSecret, `metrics:\n  token: ${metricsToken}\n`));
    closers.push(() => server.kill());
    expect((await fetch(`${server.http}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${server.http}/metrics`, { headers: { authorization: `Bearer ${secret()}` } }))
        .status,
    ).toBe(401);
    const prometheus = await startPrometheus(`127.0.0.1:${server.port}`, metricsToken);
    closers.push(() => prometheus.stop());
    const host = await startDemoHost(server.port, apiSecret);
    closers.push(() => host.close());
    browser = await launchChromium();
    closers.push(() => browser.close());

    await expect.poll(() => prometheus.query('up{job="x-server"}'), { timeout: 20_000 }).toBe(1);
    for (const name of ['alice', 'bob']) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${host.origin}/?room=watched&peer=${name}&autojoin=1`);
    }
    await expect
      .poll(() => prometheus.query('xsfu_room_peers{room="watched"}'), { timeout: 30_000 })
      .toBe(2);
    await expect
      .poll(() => prometheus.query('sum(xsfu_consumers)'), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2);
    const joins = await prometheus.query(
      'sum(xsfu_signaling_requests_total{method="join",code="OK"})',
    );
    expect(joins).toBe(2);
    // The pages' media flows through it: bytes received grow.
    await expect
      .poll(() => prometheus.query('sum(xsfu_transport_bytes_total{direction="in"})'), {
        timeout: 30_000,
      })
      .toBeGreaterThan(0);
    console.log(
      `Prometheus: xsfu_room_peers{room="watched"} = 2, consumers ${await prometheus.query('sum(xsfu_consumers)')}, joins ${joins}, bytes in ${await prometheus.query('sum(xsfu_transport_bytes_total{direction="in"})')}`,
    );

    const text = await (
      await fetch(`${server.http}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      })
    ).text();
    const check = promtoolCheck(text);
    expect(check.status, check.output).toBe(0);
    // Every metric the Grafana dashboard charts is one the server exports (the cluster's only in cluster mode).
    const dashboard = readFileSync(resolve(root, 'packages/server/grafana/x-sfu.json'), 'utf8');
    const charted = new Set(
      [...dashboard.matchAll(/xsfu_[a-z0-9_]+/g)].map((m) =>
        m[0].replace(/_(bucket|sum|count)$/, ''),
      ),
    );
    for (const name of charted)
      if (
        ![
          'xsfu_cluster_nodes',
          'xsfu_draining',
          'xsfu_webhooks_queued',
          'xsfu_webhooks_total',
        ].includes(name)
      )
        expect(text, `${name} (charted by the dashboard)`).toMatch(
          new RegExp(`^${name}(_bucket|_sum|_count)?[{ ]`, 'm'),
        );
    for (const name of [
      'xsfu_rooms 1',
      'xsfu_peers 2',
      'xsfu_worker_cpu_seconds_total{worker=',
      'xsfu_signaling_request_duration_seconds_bucket{le="0.001",method="join"}',
      'xsfu_producer_score{kind="video"}',
      'xsfu_transport_bytes_total{direction="out"}',
      'xsfu_producer_packets_total{kind="video",result="received"}',
      'xsfu_process_resident_memory_bytes',
      'xsfu_nodejs_eventloop_lag_seconds',
    ])
      expect(text).toContain(name);
  });
});
