// The demo page in a Chromium (puppeteer-core: `launchChromiumOn`, in a test
// network or the machine's own namespace), with a probe on every
// RTCPeerConnection the page makes: the ICE candidates it gathered, the
// candidate errors (a TURN server's 401), and getStats() of each: the
// selected candidate pair, and the media sent and received. Exported as
// `@x/testkit/pages` (not from the index: it needs the DOM types, and
// vitest's `expect`).
import type { Browser, Page } from 'puppeteer-core';
import { expect } from 'vitest';

/** What the page's probe says of one RTCPeerConnection. */
export interface PcReport {
  connectionState: string;
  /** The selected candidate pair, once there is one. */
  selected?: {
    localType: string;
    localProtocol: string;
    /** For a relay candidate: how the page reaches the TURN server ('udp', 'tcp', 'tls'). */
    relayProtocol?: string;
    localAddress?: string;
    remoteAddress?: string;
    remoteProtocol: string;
  };
  /** Received media: frames decoded (video) and packets, by kind. */
  inbound: { kind: string; framesDecoded: number; packetsReceived: number }[];
  /** Sent media: packets, by kind. */
  outbound: { kind: string; packetsSent: number }[];
}

/** What the probe gathered: every candidate (its SDP line) and every candidate error. */
export interface IceLog {
  candidates: string[];
  errors: { errorCode: number; errorText: string; url: string }[];
}

/** A demo page on a host, and what it logged. */
export interface NetPage {
  label: string;
  page: Page;
  /** Console messages and page errors. */
  console: string[];
  close(): Promise<void>;
}

declare global {
  interface Window {
    /** The probe's record (set by `probe`). */
    netProbe?: { pcs: RTCPeerConnection[]; log: IceLog };
  }
}

/** Runs in the page before its scripts: keeps every RTCPeerConnection and its ICE events. */
function probe(): void {
  const Native = window.RTCPeerConnection;
  const record: { pcs: RTCPeerConnection[]; log: IceLog } = {
    pcs: [],
    log: { candidates: [], errors: [] },
  };
  class Probed extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      record.pcs.push(this);
      this.addEventListener('icecandidate', (e) => {
        if (e.candidate?.candidate) record.log.candidates.push(e.candidate.candidate);
      });
      this.addEventListener('icecandidateerror', (e) => {
        const error = e as RTCPeerConnectionIceErrorEvent;
        record.log.errors.push({
          errorCode: error.errorCode,
          errorText: error.errorText,
          url: error.url,
        });
      });
    }
  }
  window.RTCPeerConnection = Probed;
  window.netProbe = record;
}

/** The demo page URL that joins `room` as `peer` at once, with more query parameters. */
export function demoUrl(
  origin: string,
  room: string,
  peer: string,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams({ room, peer, autojoin: '1', ...extra });
  return `${origin}/?${params}`;
}

/** Opens the demo page at `url` in `browser`, with the probe. */
export async function openPage(browser: Browser, label: string, url: string): Promise<NetPage> {
  const page = await browser.newPage();
  const console: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${String(e)}`));
  await page.evaluateOnNewDocument(probe);
  await page.goto(url);
  return { label, page, console, close: () => page.close() };
}

/** The page's status line ("joined as …", "no media connection", …). */
export function status(p: NetPage): Promise<string> {
  return p.page.evaluate(() => document.getElementById('status')?.textContent ?? '');
}

/** Polls until the page has joined and its send transport connected. */
export async function expectJoined(p: NetPage, timeout = 25_000): Promise<void> {
  await expect
    .poll(() => status(p), { timeout, message: `${p.label} joined with media` })
    .toMatch(/^joined as /);
}

/**
 * Waits until the page receives `peer`'s chat and reactions (the demo's two
 * DataChannels) open: the page's data transports are connected then.
 */
export async function expectChatOpen(p: NetPage, peer: string, timeout = 20_000): Promise<void> {
  await expect
    .poll(
      () =>
        p.page.evaluate((name) => {
          const demo = (
            window as unknown as {
              demo?: {
                room: {
                  getPeerByName(
                    n: string,
                  ): { dataConsumers: { label: string; readyState: string }[] } | undefined;
                };
              };
            }
          ).demo;
          return (demo?.room.getPeerByName(name)?.dataConsumers ?? [])
            .filter((dc) => dc.readyState === 'open')
            .map((dc) => dc.label)
            .sort();
        }, peer),
      { timeout, message: `${p.label} has ${peer}'s chat open` },
    )
    .toEqual(['chat', 'reactions']);
}

/** Reports of the page's open RTCPeerConnections. */
export function reports(p: NetPage): Promise<PcReport[]> {
  return p.page.evaluate(async () => {
    const out: PcReport[] = [];
    for (const pc of window.netProbe?.pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((s: Record<string, unknown>) => {
        byId.set(s.id as string, s);
      });
      const report: PcReport = { connectionState: pc.connectionState, inbound: [], outbound: [] };
      for (const s of byId.values()) {
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = byId.get(s.selectedCandidatePairId as string);
          const local = pair && byId.get(pair.localCandidateId as string);
          const remote = pair && byId.get(pair.remoteCandidateId as string);
          if (local && remote)
            report.selected = {
              localType: local.candidateType as string,
              localProtocol: local.protocol as string,
              relayProtocol: local.relayProtocol as string | undefined,
              localAddress: local.address as string | undefined,
              remoteAddress: remote.address as string | undefined,
              remoteProtocol: remote.protocol as string,
            };
        } else if (s.type === 'inbound-rtp') {
          report.inbound.push({
            kind: s.kind as string,
            framesDecoded: (s.framesDecoded as number | undefined) ?? 0,
            packetsReceived: (s.packetsReceived as number | undefined) ?? 0,
          });
        } else if (s.type === 'outbound-rtp') {
          report.outbound.push({
            kind: s.kind as string,
            packetsSent: (s.packetsSent as number | undefined) ?? 0,
          });
        }
      }
      out.push(report);
    }
    return out;
  });
}

/** What the page has received so far, over all its connections: video frames decoded, audio packets. */
async function received(p: NetPage): Promise<{ frames: number; audioPackets: number }> {
  let frames = 0;
  let audioPackets = 0;
  for (const r of await reports(p))
    for (const i of r.inbound) {
      if (i.kind === 'video') frames += i.framesDecoded;
      if (i.kind === 'audio') audioPackets += i.packetsReceived;
    }
  return { frames, audioPackets };
}

/**
 * Media reaches `p` (from the one other peer of its room): the video frames
 * it decodes and the audio packets it receives keep growing (+30 frames and
 * +50 packets, about a second of each).
 */
export async function expectReceiving(p: NetPage, timeout = 20_000): Promise<void> {
  await expect
    .poll(async () => (await received(p)).frames, {
      timeout,
      message: `${p.label} decodes remote video`,
    })
    .toBeGreaterThan(0);
  const before = await received(p);
  await expect
    .poll(async () => (await received(p)).frames - before.frames, {
      timeout,
      message: `${p.label} keeps decoding remote video`,
    })
    .toBeGreaterThan(30);
  await expect
    .poll(async () => (await received(p)).audioPackets - before.audioPackets, {
      timeout,
      message: `${p.label} keeps receiving remote audio`,
    })
    .toBeGreaterThan(50);
}

/** The selected candidate pairs of the page's connected RTCPeerConnections (its send and receive transports). */
export async function selectedPairs(p: NetPage): Promise<NonNullable<PcReport['selected']>[]> {
  return (await reports(p))
    .filter((r) => r.connectionState === 'connected' && r.selected)
    .map((r) => r.selected!);
}

/** The probe's ICE log of the page. */
export function iceLog(p: NetPage): Promise<IceLog> {
  return p.page.evaluate(() => window.netProbe?.log ?? { candidates: [], errors: [] });
}

/** What to print when a test of `pages` fails: each page's status, ICE log, stats and console. */
export async function describePages(pages: NetPage[]): Promise<string> {
  const parts: string[] = [];
  for (const p of pages) {
    try {
      parts.push(
        `--- ${p.label}: ${await status(p)}`,
        `ice: ${JSON.stringify(await iceLog(p))}`,
        `pcs: ${JSON.stringify(await reports(p))}`,
        `console:\n${p.console.slice(-30).join('\n')}`,
      );
    } catch (error) {
      parts.push(`--- ${p.label}: ${(error as Error).message}`);
    }
  }
  return parts.join('\n');
}

/** Video frames decoded so far by each RTCPeerConnection the page made (closed ones included), by index. */
export function framesByPc(p: NetPage): Promise<number[]> {
  return p.page.evaluate(async () => {
    const out: number[] = [];
    for (const pc of window.netProbe?.pcs ?? []) {
      let frames = 0;
      if (pc.connectionState !== 'closed') {
        const stats = await pc.getStats();
        stats.forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video')
            frames += (s.framesDecoded as number | undefined) ?? 0;
        });
      }
      out.push(frames);
    }
    return out;
  });
}

/**
 * Frames decoded since `before` (from {@link framesByPc}): what the page's
 * connections decoded since, old ones and new ones (a closed one counts for
 * nothing more).
 */
export async function framesSince(p: NetPage, before: number[]): Promise<number> {
  const now = await framesByPc(p);
  return now.reduce((sum, frames, i) => sum + Math.max(0, frames - (before[i] ?? 0)), 0);
}
