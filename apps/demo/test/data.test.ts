// DataChannels through the SFU, in real browsers: the demo's chat and
// reactions between Chromium and Firefox pages whose peers sit on two media
// workers (the data crosses a pipe between the workers), the server app
// talking to the room and reading it, 10,000 reliable ordered messages next
// to an unordered channel, and each data limit gone past.
// Firefox offers no loopback ICE candidates: the server listens on a LAN
// address and serves the page over HTTPS there (as in firefox.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataProducer as ServerDataProducer } from '@x/server';
import { lanAddress, launchChromium, launchFirefox } from '@x/testkit';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Browser as Firefox } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../src/demo.js';
import { selfSignedTls } from '../src/tls.js';
import {
  chromiumPage,
  type DemoPage,
  enableClientWarnings,
  expectJoined,
  firefoxPage,
  problems,
} from './helpers/pages.js';
import { startTestDemo } from './helpers/testDemo.js';

const scratch = mkdtempSync(join(tmpdir(), 'x-demo-data-'));
const tls = selfSignedTls(join(scratch, 'certs'));

let ip: string;
let demo: Demo;
let firefox: Firefox;
let chromium: Browser;
let context: BrowserContext;
const open: DemoPage[] = [];

beforeAll(async () => {
  ip = lanAddress();
  demo = await startTestDemo({
    host: ip,
    recordingsDir: join(scratch, 'recordings'),
    rtcPort: 44500,
    rtcPorts: 100,
    tls,
    server: {
      // One consumer fills a worker: each page after the first goes to the other worker.
      numWorkers: 2,
      maxConsumersPerWorker: 1,
      // The bulk test sends as fast as SCTP goes: far past the default rate limits.
      limits: { dataMessagesPerSecond: 1_000_000, dataBytesPerSecond: 1024 * 1024 * 1024 },
    },
  });
  firefox = await launchFirefox({ acceptInsecureCerts: true });
  chromium = await launchChromium();
  context = await chromium.newContext({ ignoreHTTPSErrors: true });
}, 90_000);

afterAll(async () => {
  for (const p of open.splice(0)) await p.close().catch(() => undefined);
  await firefox?.close();
  await chromium?.close();
  await demo?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const url = (d: Demo, room: string, peer: string) =>
  `https://${ip}:${d.port}/?room=${room}&peer=${encodeURIComponent(peer)}&autojoin=1`;

async function page(
  browser: 'chromium' | 'firefox',
  room: string,
  peer: string,
  d: Demo = demo,
): Promise<DemoPage> {
  const p =
    browser === 'chromium'
      ? await chromiumPage(context, peer, url(d, room, peer), enableClientWarnings)
      : await firefoxPage(firefox, peer, url(d, room, peer), enableClientWarnings);
  open.push(p);
  await expectJoined(p);
  await p.evaluate(() => window.demo!.chatReady);
  return p;
}

/** The chat lines a page shows, as "from: text". */
const chatLines = (p: DemoPage) =>
  p.evaluate(() => window.demo!.chat.lines.map((l) => `${l.kind}:${l.from}: ${l.text}`));

/** Waits until a page receives the data consumers of `peer` with these labels, open. */
async function expectChannels(p: DemoPage, peer: string, labels: string[]): Promise<void> {
  await expect
    .poll(
      () =>
        p.evaluate(
          (name) =>
            (window.demo!.room.getPeerByName(name)?.dataConsumers ?? [])
              .filter((dc) => dc.readyState === 'open')
              .map((dc) => dc.label)
              .sort(),
          peer,
        ),
      { timeout: 15_000, message: `${p.label} has ${peer}'s channels open` },
    )
    .toEqual([...labels].sort());
}

describe('chat and reactions between Chromium and Firefox, peers on two workers', () => {
  it('messages and reactions both ways; the server speaks to the room and reads it', async () => {
    const c = await page('chromium', 'chat', 'chrome');
    const f = await page('firefox', 'chat', 'fox');
    const room = demo.server.getRoom('chat')!;
    const [chrome, fox] = [room.getPeerByName('chrome')!, room.getPeerByName('fox')!];
    expect(chrome.router).not.toBe(fox.router);
    expect(await f.evaluate(() => window.demo!.room.device?.handlerName)).toBe('Firefox120');
    // Each page's two channels, on the server and piped once to the other worker.
    expect(room.dataProducers.map((dp) => `${dp.peer.name}/${dp.label}`).sort()).toEqual([
      'chrome/chat',
      'chrome/reactions',
      'fox/chat',
      'fox/reactions',
    ]);
    await expectChannels(c, 'fox', ['chat', 'reactions']);
    await expectChannels(f, 'chrome', ['chat', 'reactions']);
    for (const dp of room.dataProducers) expect(room.dataPipesOf(dp)).toBe(1);
    const reactions = room.dataProducers.find((dp) => dp.label === 'reactions')!;
    expect(reactions.sctpStreamParameters).toMatchObject({
      ordered: false,
      maxPacketLifeTime: 1000,
    });
    // ... and so do the other pages' data consumers of it.
    expect(
      await f.evaluate(() => {
        const dc = window
          .demo!.room.getPeerByName('chrome')!
          .dataConsumers.find((d) => d.label === 'reactions')!;
        return { ordered: dc.ordered, maxPacketLifeTime: dc.maxPacketLifeTime };
      }),
    ).toEqual({ ordered: false, maxPacketLifeTime: 1000 });

    // Chromium opens the chat and types a message as a person would; Firefox
    // counts it on its closed chat's button, shows it, and answers.
    await c.click('#toggle-chat');
    await c.fill('#chat-input', 'hello from Chromium <b>not bold</b>');
    await c.click('#chat-send');
    await expect
      .poll(() => chatLines(f))
      .toContain('peer:chrome: hello from Chromium <b>not bold</b>');
    // Shown as text, never as HTML.
    expect(await f.evaluate(() => document.querySelector('#chat-lines b'))).toBeNull();
    await expect
      .poll(() => f.evaluate(() => document.getElementById('chat-unread')?.textContent))
      .toBe('1');
    await f.click('#toggle-chat');
    expect(await f.evaluate(() => document.getElementById('chat-unread')?.hidden)).toBe(true);
    await f.fill('#chat-input', 'hi from Firefox 🦊');
    await f.click('#chat-send');
    await expect.poll(() => chatLines(c)).toContain('peer:fox: hi from Firefox 🦊');
    expect(await chatLines(c)).toContain('self:chrome: hello from Chromium <b>not bold</b>');

    // Reactions, both ways.
    await c.click('#reaction-buttons button[title="celebrate"]');
    await expect
      .poll(() => f.evaluate(() => window.demo!.chat.reactions))
      .toContainEqual({ from: 'chrome', emoji: '🎉' });
    await f.click('#reaction-buttons button[title="thumbs up"]');
    await expect
      .poll(() => c.evaluate(() => window.demo!.chat.reactions))
      .toContainEqual({ from: 'fox', emoji: '👍' });

    // The server app: one notice to the room, one to Firefox alone.
    room.sendData('the room is recorded from now on', { label: 'moderator' });
    room.sendData('only for you', { label: 'moderator', to: ['fox'] });
    await expect
      .poll(() => chatLines(f))
      .toEqual(
        expect.arrayContaining([
          'server:moderator: the room is recorded from now on',
          'server:moderator: only for you',
        ]),
      );
    await expect
      .poll(() => chatLines(c))
      .toContain('server:moderator: the room is recorded from now on');
    expect(await chatLines(c)).not.toContain('server:moderator: only for you');

    // The server app reads what the pages send: text, and bytes as bytes.
    const heard: { peer: string; label: string; data: string | Buffer }[] = [];
    room.on('datamessage', (dp: ServerDataProducer, data) =>
      heard.push({ peer: dp.peer.name, label: dp.label, data }),
    );
    await room.receiveData();
    await f.evaluate(() => window.demo!.chat.send('for the moderator too'));
    await c.evaluate(() => window.demo!.chat.chat!.send(new Uint8Array([1, 2, 3])));
    await expect
      .poll(() => heard.map((h) => `${h.peer}/${h.label}`))
      .toEqual(expect.arrayContaining(['fox/chat', 'chrome/chat']));
    expect(heard.find((h) => h.peer === 'fox')?.data).toBe('for the moderator too');
    expect(heard.find((h) => h.peer === 'chrome')?.data).toEqual(Buffer.from([1, 2, 3]));

    // Firefox leaves: its channels close on the server and at Chromium.
    await f.click('#leave');
    await expect
      .poll(() => room.dataProducers.map((dp) => dp.peer.name))
      .toEqual(['chrome', 'chrome']);
    await expect
      .poll(() => c.evaluate(() => window.demo!.room.getPeerByName('fox') === undefined))
      .toBe(true);
    expect(problems(c)).toEqual([]);
    expect(problems(f)).toEqual([]);
    for (const p of open.splice(0)) await p.close();
  });

  it('10,000 ordered reliable messages arrive complete and in order; the unordered channel delivers meanwhile', async () => {
    const sender = await page('chromium', 'bulk', 'sender');
    const fox = await page('firefox', 'bulk', 'fox');
    const chrome = await page('chromium', 'bulk', 'chrome');
    const room = demo.server.getRoom('bulk')!;
    expect(new Set(room.peers.map((p) => p.router)).size).toBe(2);

    // Each receiver records, in arrival order, the bulk messages, and when the
    // unordered ones came relative to them.
    for (const p of [fox, chrome]) {
      await p.evaluate(() => {
        const w = window as unknown as { bulk: number[]; lossyAt: number[] };
        w.bulk = [];
        w.lossyAt = [];
        const watch = (dc: import('@x/client').DataConsumer) => {
          if (dc.label === 'bulk')
            dc.on('message', (m) => w.bulk.push(Number.parseInt(String(m).slice(0, 5), 10)));
          if (dc.label === 'lossy') dc.on('message', () => w.lossyAt.push(w.bulk.length));
        };
        const peer = window.demo!.room.getPeerByName('sender')!;
        for (const dc of peer.dataConsumers) watch(dc);
        peer.on('newdataconsumer', watch);
      });
    }
    const started = performance.now();
    const sent = await sender.evaluate(async () => {
      const room = window.demo!.room;
      const bulk = await room.produceData({ label: 'bulk' });
      const lossy = await room.produceData({ label: 'lossy', ordered: false, maxRetransmits: 1 });
      const opened = (dp: typeof bulk) =>
        dp.readyState === 'open' ? undefined : new Promise((r) => dp.once('open', () => r(0)));
      await opened(bulk);
      await opened(lossy);
      // The receivers' channels exist before the burst starts.
      await new Promise((r) => setTimeout(r, 1000));
      bulk.bufferedAmountLowThreshold = 128 * 1024;
      let lossySent = 0;
      for (let i = 0; i < 10_000; i++) {
        // Backpressure, as a real sender does: wait while 512 KiB are queued.
        if (bulk.bufferedAmount > 512 * 1024)
          await new Promise((r) => bulk.once('bufferedamountlow', () => r(0)));
        bulk.send(String(i).padStart(5, '0') + 'x'.repeat(200));
        if (i % 100 === 0) {
          lossy.send(`tick ${i}`);
          lossySent++;
        }
      }
      return lossySent;
    });
    for (const p of [fox, chrome]) {
      await expect
        .poll(() => p.evaluate(() => (window as unknown as { bulk: number[] }).bulk.length), {
          timeout: 30_000,
          message: `${p.label} received the 10,000`,
        })
        .toBe(10_000);
      const { inOrder, lossyAt } = await p.evaluate(() => {
        const w = window as unknown as { bulk: number[]; lossyAt: number[] };
        return { inOrder: w.bulk.every((n, i) => n === i), lossyAt: w.lossyAt };
      });
      expect(inOrder, `${p.label}: every message, in order`).toBe(true);
      // The unordered channel delivered, and not only after the reliable one
      // was done. It may lose messages while the association is congested
      // (that is what maxRetransmits allows): some, not all, are expected.
      expect(lossyAt.length, `${p.label}: unordered messages`).toBeGreaterThan(0);
      expect(Math.min(...lossyAt), `${p.label}: unordered before the bulk ended`).toBeLessThan(
        10_000,
      );
      console.log(
        `${p.label}: ${lossyAt.length} of ${sent} unordered (maxRetransmits 1) messages arrived, the first after ${Math.min(...lossyAt)} bulk messages`,
      );
    }
    // No reliable message was dropped on the way: no receiver fell past its
    // buffer. (The unordered channel's messages are sent at once or dropped
    // when the association is congested, by design: they are not counted.)
    for (const peer of room.peers)
      for (const dc of peer.dataConsumers)
        if (dc.source.label !== 'lossy')
          expect(dc.droppedMessages, `${peer.name} ${dc.source.label}`).toBe(0);
    console.log(
      `10,000 ordered reliable messages of 205 bytes, Chromium → SFU (two workers) → Chromium and Firefox: ${(performance.now() - started).toFixed(0)} ms`,
    );
    for (const p of open.splice(0)) await p.close();
  }, 120_000);
});

describe('data limits', () => {
  let strict: Demo;

  beforeAll(async () => {
    strict = await startTestDemo({
      host: ip,
      recordingsDir: join(scratch, 'recordings-strict'),
      rtcPort: 44600,
      rtcPorts: 100,
      tls,
      server: {
        limits: {
          maxDataMessageSize: 1024,
          dataProducersPerPeer: 3,
          dataMessagesPerSecond: 100,
          dataBytesPerSecond: 64 * 1024,
        },
      },
    });
  });

  afterAll(async () => {
    for (const p of open.splice(0)) await p.close().catch(() => undefined);
    await strict?.close();
  });

  it('each limit, gone past: the sender gets the typed error, the room and the others go on', async () => {
    const a = await page('chromium', 'limits', 'alice', strict);
    const b = await page('chromium', 'limits', 'bob', strict);
    await expectChannels(b, 'alice', ['chat', 'reactions']);
    const room = strict.server.getRoom('limits')!;

    // Message size: 1 KiB is the room's largest; 1025 bytes is refused, typed, and nothing is lost.
    const tooLarge = await a.evaluate(() => {
      try {
        window.demo!.chat.chat!.send('y'.repeat(1025));
        return undefined;
      } catch (e) {
        const err = e as { name: string; code: string; size: number; maxSize: number };
        return { name: err.name, code: err.code, size: err.size, maxSize: err.maxSize };
      }
    });
    expect(tooLarge).toEqual({
      name: 'DataMessageTooLargeError',
      code: 'MESSAGE_TOO_LARGE',
      size: 1025,
      maxSize: 1024,
    });
    await a.evaluate(() => window.demo!.chat.send('z'.repeat(1000)));
    await expect.poll(() => chatLines(b)).toContain(`peer:alice: ${'z'.repeat(1000)}`);

    // Data producers per peer: the demo opened 2, a third is allowed, a fourth refused.
    const refused = await a.evaluate(async () => {
      const room = window.demo!.room;
      await room.produceData({ label: 'third' });
      try {
        await room.produceData({ label: 'fourth' });
        return undefined;
      } catch (e) {
        const err = e as { name: string; code: string; message: string };
        return { name: err.name, code: err.code, message: err.message };
      }
    });
    expect(refused).toMatchObject({ name: 'RequestError', code: 'LIMIT_EXCEEDED' });
    expect(refused?.message).toMatch(/dataProducersPerPeer/);
    expect(room.getPeerByName('alice')!.dataProducers).toHaveLength(3);

    // Rate: alice floods her 'third' channel at ~500 messages a second (limit
    // 100): that channel is closed with LIMIT_EXCEEDED; her chat, bob's and the room go on.
    const flood = await a.evaluate(async () => {
      const dp = window.demo!.room.dataProducers.find((d) => d.label === 'third')!;
      const closed = new Promise<{ code?: string; field?: string } | undefined>((resolve) =>
        dp.once('close', (_o, _a, error) =>
          resolve(error && { code: error.code, field: error.field }),
        ),
      );
      const timer = setInterval(() => {
        for (let i = 0; i < 50 && !dp.closed; i++) dp.send('flood');
      }, 100);
      const error = await Promise.race([
        closed,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
      ]);
      clearInterval(timer);
      return error;
    });
    expect(flood).toEqual({ code: 'LIMIT_EXCEEDED', field: 'dataMessagesPerSecond' });
    expect(
      room
        .getPeerByName('alice')!
        .dataProducers.map((d) => d.label)
        .sort(),
    ).toEqual(['chat', 'reactions']);
    // Bytes: ~90 messages a second (under 100) of 1000 bytes: 90 kB/s, past 64 KiB/s.
    const bytesFlood = await a.evaluate(async () => {
      const dp = await window.demo!.room.produceData({ label: 'bulk' });
      const closed = new Promise<{ code?: string; field?: string } | undefined>((resolve) =>
        dp.once('close', (_o, _a, error) =>
          resolve(error && { code: error.code, field: error.field }),
        ),
      );
      const kilobyte = 'k'.repeat(1000);
      const timer = setInterval(() => {
        for (let i = 0; i < 9 && !dp.closed; i++) dp.send(kilobyte);
      }, 100);
      const error = await Promise.race([
        closed,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
      ]);
      clearInterval(timer);
      return error;
    });
    expect(bytesFlood).toEqual({ code: 'LIMIT_EXCEEDED', field: 'dataBytesPerSecond' });
    await a.evaluate(() => window.demo!.chat.send('still here'));
    await expect.poll(() => chatLines(b)).toContain('peer:alice: still here');
    await b.evaluate(() => window.demo!.chat.send('me too'));
    await expect.poll(() => chatLines(a)).toContain('peer:bob: me too');
    expect(room.closed).toBe(false);
    expect(room.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    for (const p of open.splice(0)) await p.close();
  });
});
