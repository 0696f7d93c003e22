// What the browser benchmarks read of the demo page (apps/demo/web): its URL
// that joins a room at once, whether it publishes, and its own first-frame
// metric.
import type { Page } from 'playwright-core';

/** The members of `window.demo` the benchmarks read. */
export interface DemoWindow {
  demo?: {
    room: { joined: boolean };
    video?: { transport?: unknown };
    metrics: { firstRemoteFrameMs?: number };
  };
}

/** The demo page at `origin` that joins `room` as `peer` as soon as it loads. */
export function demoUrl(origin: string, room: string, peer: string): string {
  return `${origin}/?room=${room}&peer=${peer}&autojoin=1`;
}

/** Resolves once the page has joined its room and sends its camera. */
export async function publishing(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const d = (window as DemoWindow).demo;
      return d?.room.joined === true && d.video?.transport !== undefined;
    },
    null,
    { timeout: 30_000 },
  );
}

/** When the page saw its room joined (performance.now(); the page polls every 5 ms). */
export async function joinedAt(page: Page): Promise<number> {
  const joined = await page.waitForFunction(
    () => ((window as DemoWindow).demo?.room.joined ? performance.now() : false),
    null,
    { polling: 5, timeout: 30_000 },
  );
  return (await joined.jsonValue()) as number;
}

/** The page's first decoded remote video frame, in ms since its navigation started. */
export async function firstRemoteFrame(page: Page): Promise<number> {
  const frame = await page.waitForFunction(
    () => (window as DemoWindow).demo?.metrics.firstRemoteFrameMs,
    null,
    { timeout: 30_000 },
  );
  return (await frame.jsonValue()) as number;
}
