// The demo as a cluster, all real: redis-server, three demo processes with
// REDIS_URL on 127.0.0.2, .3 and .4 (each its own workers and page), and a
// Chromium page on two of them. The pages decode each other's video across
// nodes; SIGTERM drains a node, and its page moves to another by itself.
import { freePort, launchChromium, type RedisProcess, startRedis } from '@x/testkit';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoProcess, startDemoProcess } from './helpers/demoProcess.js';
import { chromiumPage, type DemoPage, expectFlowing, expectJoined } from './helpers/pages.js';

const SECRET = 'a-cluster-secret-of-at-least-32-bytes!!';
let redis: RedisProcess;
const nodes: Record<string, DemoProcess & { ip: string }> = {};
let browser: Browser;
let context: BrowserContext;
const pages: DemoPage[] = [];

async function node(id: string, ip: string): Promise<DemoProcess & { ip: string }> {
  const port = await freePort(ip);
  const demo = await startDemoProcess({
    REDIS_URL: redis.url,
    TOKEN_SECRET: SECRET,
    NODE_ID: id,
    HOST: ip,
    PORT: String(port),
  });
  return Object.assign(demo, { ip });
}

async function pageOn(id: string, peer: string): Promise<DemoPage> {
  const { ip, port } = nodes[id]!;
  const page = await chromiumPage(
    context,
    `${peer}@${id}`,
    `http://${ip}:${port}/?room=wide&peer=${peer}&autojoin=1`,
  );
  pages.push(page);
  return page;
}

const status = (page: DemoPage) =>
  page.evaluate(() => document.getElementById('status')?.textContent ?? '');

beforeAll(async () => {
  redis = await startRedis();
  nodes.a = await node('a', '127.0.0.2');
  nodes.b = await node('b', '127.0.0.3');
  nodes.c = await node('c', '127.0.0.4');
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 960, height: 600 } });
});

afterAll(async () => {
  for (const page of pages) await page.close().catch(() => undefined);
  await browser?.close();
  for (const demo of Object.values(nodes)) demo.process.kill('SIGKILL');
  await redis?.stop();
});

describe('the demo as a cluster, in real Chromium', () => {
  let alice: DemoPage;
  let bob: DemoPage;

  it('pages on different nodes decode each other’s video', async () => {
    alice = await pageOn('a', 'alice');
    bob = await pageOn('b', 'bob');
    await expectJoined(alice);
    await expectJoined(bob);
    await expectFlowing(bob, 'alice');
    await expectFlowing(alice, 'bob');
  });

  it('SIGTERM drains a node: its page rejoins through another node by itself, media flows again, the node exits 0', async () => {
    const b = nodes.b!;
    const exited = new Promise<number | null>((r) => b.process.once('exit', (code) => r(code)));
    b.process.kill('SIGTERM');
    // Moved to the least-loaded other node (C has nobody yet).
    await expect
      .poll(() => bob.evaluate(() => window.demo?.connection?.url ?? ''), { timeout: 15_000 })
      .toContain(`${nodes.c!.ip}:${nodes.c!.port}`);
    await expect.poll(() => status(bob), { timeout: 20_000 }).toMatch(/^joined as bob/);
    // Alice's consumer of Bob is a new one (Bob's producers arrive from C now), and decodes.
    await expectFlowing(alice, 'bob');
    await expectFlowing(bob, 'alice');
    expect(await exited).toBe(0);
    expect(b.log()).not.toMatch(/Error|uncaught/i);
  });
});
