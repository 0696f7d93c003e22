// Graceful shutdown of the built demo server on SIGTERM: rooms closed, peers
// told why, workers closed, exit code 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@x/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const main = resolve(here, '../dist/server/main.js');
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(main))
    throw new Error(`the demo server is not built (${main}): run pnpm --filter @x/demo build`);
  browser = await launchChromium();
});
afterAll(() => browser?.close());

/** Child processes of a process (the mediasoup workers of the demo server). */
function children(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return (
          readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(pid)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('graceful shutdown', () => {
  it('on SIGTERM the demo closes its rooms, tells the peers, closes the workers and exits 0', async () => {
    const demo: ChildProcess = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    demo.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await expect
      .poll(() => /http:\/\/localhost:(\d+)/.exec(out)?.[1], { timeout: 20_000 })
      .toBeDefined();
    const port = /http:\/\/localhost:(\d+)/.exec(out)![1];
    const workers = children(demo.pid!);
    expect(workers.length).toBeGreaterThan(0);

    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?room=bye&peer=alice&autojoin=1`);
    await page.waitForFunction(() => window.demo?.room.joined === true, null, { timeout: 20_000 });

    const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: closing rooms');
    await expect.poll(() => page.locator('#status').textContent()).toBe('closed: server_shutdown');
    // The workers were told to stop; give them a moment (a zombie awaiting its reaper counts as gone).
    const alive = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      } catch {
        return false;
      }
    };
    await expect.poll(() => workers.filter(alive), { timeout: 5000 }).toEqual([]);
    await page.close();
  });
});
