// Benchmark: a rolling restart as users live it. A real redis-server and two
// nodes of the built demo (cluster mode, one worker each) on 127.0.0.2 (A)
// and 127.0.0.3 (B). Alice's page publishes through node B; PAGES watching
// pages (the demo page with send=0) are in her room through node A. Node A
// gets SIGTERM and runs the server README's snippet (drain, close, exit):
// each page is redirected to B, joins again there and shows Alice's video
// anew. Timed per page: from the SIGTERM to the first frame of a video
// element created after it (the page's own clock: same machine). Baseline:
// a page opened anew through B in the same run, navigation to first frame.
import { existsSync } from 'node:fs';
import { CHROMIUM, launchChromium } from '@x/testkit';
import type { Page } from 'playwright-core';
import { demoJs } from '../lib/builtDemo.js';
import { demoUrl, firstRemoteFrame, publishing } from '../lib/demoPage.js';
import { type BenchResult, type Figure, figure } from '../lib/report.js';
import { median, quantile } from '../lib/stats.js';
import { type BenchNode, startCluster } from './cluster.js';

const PAGES = 10;
const ROOM = 'drain';
const TITLE = 'Rolling restart: SIGTERM of a node to video again on every page';

const url = (node: BenchNode, peer: string, extra = '') =>
  `${demoUrl(`http://${node.ip}:${node.port}`, ROOM, peer)}${extra}`;

/** Marks the page's video elements as old: what shows after the drain is in new ones. */
function markOld(page: Page): Promise<void> {
  return page.evaluate(() => {
    for (const v of document.querySelectorAll('video')) v.dataset.old = '1';
  });
}

/** When (the page's Date.now()) a video element not marked old shows its first frame. */
async function newFrameAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      for (const v of document.querySelectorAll('video')) {
        if (v.dataset.old) continue;
        if (v.getVideoPlaybackQuality().totalVideoFrames > 0) return Date.now();
      }
      return false;
    },
    null,
    { polling: 20, timeout: 60_000 },
  );
  return (await handle.jsonValue()) as number;
}

export async function run(): Promise<BenchResult> {
  const skip = !existsSync(demoJs)
    ? `the demo is not built (${demoJs}): run pnpm --filter @x/demo build`
    : !existsSync(CHROMIUM)
      ? `no Chromium at ${CHROMIUM} (Debian package chromium)`
      : undefined;
  if (skip) {
    console.log(`  skipped: ${skip}`);
    return { name: 'cluster-drain', title: TITLE, figures: [], notes: [`Skipped: ${skip}.`] };
  }
  const cluster = await startCluster('demo', { a: [47000, 47999], b: [48000, 48999] });
  const browser = await launchChromium();
  let moves: number[] = [];
  let fresh = Number.NaN;
  let exitCode: number | null = null;
  try {
    const context = await browser.newContext();
    const alice = await context.newPage();
    await alice.goto(url(cluster.b, 'alice'));
    await publishing(alice);
    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i++) {
      const page = await context.newPage();
      await page.goto(url(cluster.a, `viewer${i}`, '&send=0'));
      pages.push(page);
    }
    await Promise.all(pages.map((p) => firstRemoteFrame(p)));
    await Promise.all(pages.map(markOld));
    console.log(`  ${PAGES} pages watch alice through node A; SIGTERM to node A`);
    const sigterm = Date.now();
    cluster.a.child.process.kill('SIGTERM');
    moves = (await Promise.all(pages.map(newFrameAt))).map((t) => t - sigterm);
    exitCode = await cluster.a.child.exited;
    console.log(`  node A exited ${exitCode}; SIGTERM → video again: ${moves.join(', ')} ms`);
    // Baseline: a page opened anew through B, navigation to its first frame.
    const page = await context.newPage();
    await page.goto(url(cluster.b, 'fresh', '&send=0'));
    fresh = await firstRemoteFrame(page);
    console.log(`  a fresh page through B: first frame ${fresh.toFixed(0)} ms after navigation`);
  } finally {
    await browser.close();
    await cluster.stop().catch(() => undefined);
  }
  const figures: Figure[] = [
    ['median', 0.5],
    ['p95', 0.95],
  ].map(([label, q]) =>
    figure({
      name: `SIGTERM of node A → first new frame on each of its ${PAGES} pages: ${label}`,
      unit: 'ms',
      value: quantile(moves, q as number),
      baseline: fresh,
      baselineName: 'a page opened anew (navigation → first frame)',
      higherIsBetter: false,
      note: `${moves.join(', ')} ms; goal: p95 ≤ 3000 ms`,
    }),
  );
  return {
    name: 'cluster-drain',
    title: TITLE,
    figures,
    details: { moves, fresh, median: median(moves), exitCode },
    notes: [
      `A real redis-server and two nodes of the built demo (cluster mode, one worker each) on 127.0.0.2 (A) and 127.0.0.3 (B). Alice’s page (fake camera) publishes through B; ${PAGES} demo pages with send=0 watch her through A. Node A gets SIGTERM and runs the server README’s snippet verbatim (await cluster.drain(); server.close(); process.exit(0)); its pages are redirected to B by their closing frames, join there, and receive Alice again on the transports they hold.`,
      'Per page: from the SIGTERM (this process’s clock) to the first decoded frame of a video element made after it (the page’s clock: the same machine), polled every 20 ms. Baseline: a page opened anew through B after the move, from navigation to its first frame (page load, token, WebSocket, join, transports, first key frame).',
      'All pages, both nodes, Redis and the fake camera’s encoding share the 2 cores.',
    ],
  };
}
