// One face for a demo page in Chromium (playwright-core) and in Firefox
// (puppeteer-core over WebDriver BiDi), so that a check runs the same in both,
// and the checks the end-to-end tests share.

import type { BrowserContext, Page as PlaywrightPage } from 'playwright-core';
import { PNG } from 'pngjs';
import type { Browser as PuppeteerBrowser, Page as PuppeteerPage } from 'puppeteer-core';
import { expect } from 'vitest';

/** What a page printed to its console, and the errors it threw. */
export interface ConsoleEntry {
  type: string;
  text: string;
}

export interface DemoPage {
  /** Who it is, for messages: the peer name and the browser. */
  label: string;
  browser: 'chromium' | 'firefox';
  evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  click(selector: string): Promise<void>;
  /** Sets a `<select>`'s value as a person would (a change event). */
  select(selector: string, value: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  screenshot(path?: string): Promise<Buffer>;
  /** Resizes the page's viewport; resolves once the layout followed (two frames). */
  setViewport(width: number, height: number): Promise<void>;
  /** A screenshot of the first element matching `selector`. */
  screenshotOf(selector: string): Promise<Buffer>;
  /** Console messages and page errors so far. */
  console: ConsoleEntry[];
  /** HTTP responses of status 400 or more (a missing favicon, a refused call). */
  failedRequests: string[];
  close(): Promise<void>;
}

/** A page of a Chromium context (playwright-core). */
export async function chromiumPage(
  context: BrowserContext,
  label: string,
  url: string,
  init?: () => void,
): Promise<DemoPage> {
  const page: PlaywrightPage = await context.newPage();
  const entries: ConsoleEntry[] = [];
  const failed: string[] = [];
  page.on('console', (m) => entries.push({ type: normalize(m.type()), text: m.text() }));
  page.on('pageerror', (e) => entries.push({ type: 'pageerror', text: String(e) }));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  if (init) await page.addInitScript(init);
  await page.goto(url);
  return {
    label: `${label} (Chromium)`,
    browser: 'chromium',
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    click: (selector) => page.click(selector),
    select: async (selector, value) => {
      await page.selectOption(selector, value);
    },
    fill: (selector, value) => page.fill(selector, value),
    screenshot: (path) => page.screenshot({ path }),
    setViewport: async (width, height) => {
      await page.setViewportSize({ width, height });
      await page.evaluate(twoFrames);
    },
    screenshotOf: (selector) => page.locator(selector).first().screenshot(),
    console: entries,
    failedRequests: failed,
    close: () => page.close(),
  };
}

/** A page of Firefox (puppeteer-core over WebDriver BiDi). */
export async function firefoxPage(
  browser: PuppeteerBrowser,
  label: string,
  url: string,
  init?: () => void,
): Promise<DemoPage> {
  const page: PuppeteerPage = await browser.newPage();
  const entries: ConsoleEntry[] = [];
  const failed: string[] = [];
  page.on('console', (m) => entries.push({ type: normalize(m.type()), text: m.text() }));
  page.on('pageerror', (e) => entries.push({ type: 'pageerror', text: String(e) }));
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  if (init) await page.evaluateOnNewDocument(init);
  await page.goto(url);
  return {
    label: `${label} (Firefox)`,
    browser: 'firefox',
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    click: (selector) => page.click(selector),
    select: async (selector, value) => {
      await page.select(selector, value);
    },
    fill: async (selector, value) => {
      await page.$eval(
        selector,
        (el, v) => {
          (el as HTMLInputElement).value = v;
        },
        value,
      );
    },
    screenshot: async (path) => Buffer.from(await page.screenshot({ path })),
    setViewport: async (width, height) => {
      await page.setViewport({ width, height });
      await page.evaluate(twoFrames);
    },
    screenshotOf: async (selector) => {
      const element = await page.$(selector);
      if (!element) throw new Error(`no ${selector} on ${label}`);
      return Buffer.from(await element.screenshot());
    },
    console: entries,
    failedRequests: failed,
    close: () => page.close(),
  };
}

const twoFrames = () =>
  new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));

function normalize(type: string): string {
  return type === 'warn' ? 'warning' : type;
}

/** Turns on the client libraries' warnings and errors (they log through `debug`). */
export function enableClientWarnings(): void {
  localStorage.setItem('debug', '*:WARN*,*:ERROR*');
}

/** Polls until the page has joined and its media connected ("joined as …"). */
export async function expectJoined(page: DemoPage, timeout = 20_000): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => document.getElementById('status')?.textContent ?? ''), {
      timeout,
      message: `${page.label} joined with media`,
    })
    .toMatch(/^joined as /);
}

/** Frames decoded so far by the receiver of `peer`'s camera, from the browser's own stats. */
export function framesDecoded(page: DemoPage, peer: string): Promise<number> {
  return page.evaluate(async (name) => {
    const consumer = [...(window.demo?.consumers ?? [])].find(
      (c) =>
        c.kind === 'video' &&
        c.peer.name === name &&
        c.engine &&
        (c.appData as { source?: string } | undefined)?.source !== 'screen',
    );
    if (!consumer?.engine) return 0;
    let frames = 0;
    (await consumer.engine.getStats()).forEach((s: { type: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp') frames = s.framesDecoded ?? 0;
    });
    return frames;
  }, peer);
}

export function videoWidth(page: DemoPage, peer: string): Promise<number> {
  return page.evaluate(
    (name) =>
      document.querySelector<HTMLVideoElement>(`.tile[data-peer="${name}"] video`)?.videoWidth ?? 0,
    peer,
  );
}

/** `page` shows `peer`'s camera with frames being decoded. */
export async function expectFlowing(page: DemoPage, peer: string): Promise<void> {
  await expect
    .poll(() => videoWidth(page, peer), { timeout: 15_000, message: `${page.label} sees ${peer}` })
    .toBeGreaterThan(0);
  const before = await framesDecoded(page, peer);
  await expect
    .poll(() => framesDecoded(page, peer), {
      timeout: 10_000,
      message: `${page.label} decodes ${peer}`,
    })
    .toBeGreaterThan(before + 10);
}

/** A tile's dataset value (`data-<key>`), by peer name. */
export function tileData(page: DemoPage, peer: string, key: string): Promise<string | undefined> {
  return page.evaluate(
    ([name, k]) =>
      document.querySelector<HTMLElement>(`.tile[data-peer="${name}"]`)?.dataset[k as string],
    [peer, key] as const,
  );
}

/** A rectangle of a page, in CSS pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Luminance variance of a PNG, or of a rectangle of it: a blank
 * (single-colour) image has none.
 */
export function variance(png: Buffer, rect?: Rect): number {
  const image = PNG.sync.read(png);
  const x0 = Math.max(0, Math.floor(rect?.x ?? 0));
  const y0 = Math.max(0, Math.floor(rect?.y ?? 0));
  const x1 = Math.min(image.width, Math.ceil(rect ? rect.x + rect.width : image.width));
  const y1 = Math.min(image.height, Math.ceil(rect ? rect.y + rect.height : image.height));
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * image.width + x) * 4;
      const l = 0.299 * image.data[i]! + 0.587 * image.data[i + 1]! + 0.114 * image.data[i + 2]!;
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** Where the camera tiles' videos are on the page, by peer name. */
export function tileRects(page: DemoPage): Promise<Record<string, Rect>> {
  return page.evaluate(() => {
    const rects: Record<string, { x: number; y: number; width: number; height: number }> = {};
    for (const tile of document.querySelectorAll<HTMLElement>('.tile[data-peer]')) {
      const r = tile.querySelector('video')!.getBoundingClientRect();
      rects[tile.dataset.peer!] = { x: r.x, y: r.y, width: r.width, height: r.height };
    }
    return rects;
  });
}

/** Errors and warnings a page logged (a page error, console.error, console.warn). */
export function problems(page: DemoPage, since = 0): ConsoleEntry[] {
  return page.console
    .slice(since)
    .filter((e) => e.type === 'error' || e.type === 'warning' || e.type === 'pageerror');
}
