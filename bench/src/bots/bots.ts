// What a receiving bot costs: one Node bot (@x/node, libwebrtc, every frame
// decoded to I420) receiving a 1280×720 30 fps stream, against one Chromium
// page receiving (and showing) the same stream, CPU per second of each over
// the same window; then how many receiving bots one core carries: 1, 2, 4…
// bots in one process until the process needs more than one core or its bots
// decode less than 90 % of the frames one bot alone decodes.
// The publisher is a Node bot in this process (TestPatternSource), the
// server an @x/server with one worker, all on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { joinRoom, TestPatternSource } from '@x/node';
import { roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import { CHROMIUM, launchChromium } from '@x/testkit';
import { demoWebDir, startBuiltDemo } from '../lib/builtDemo.js';
import { processCpuMs } from '../lib/cpu.js';
import { type BenchResult, figure } from '../lib/report.js';

const WINDOW_MS = 10_000;
const FPS = 30;
const receiverJs = fileURLToPath(new URL('./receiver.mjs', import.meta.url));

/** A process of receiving bots (receiver.mjs), asked for its frames on stdin. */
class Bots {
  readonly child: ChildProcess;
  readonly #lines: AsyncIterator<string>;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.#lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  }

  static async start(url: string, count: number): Promise<Bots> {
    const child = spawn(process.execPath, [receiverJs, url, String(count)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const bots = new Bots(child);
    await bots.#next();
    return bots;
  }

  async #next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.#lines.next();
    if (done) throw new Error('the bots process ended');
    return JSON.parse(value) as Record<string, unknown>;
  }

  async frames(): Promise<number[]> {
    this.child.stdin!.write('frames\n');
    const answer = await this.#next();
    this.size = answer.size as string;
    return answer.frames as number[];
  }

  /** The size of the last frame a bot decoded. */
  size = '';

  stop(): void {
    this.child.stdin!.write('exit\n');
  }
}

/** The processes under `pid` (all generations): a browser's renderer, GPU and utility processes. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parents)
      if (parent === p) {
        found.push(child);
        walk(child);
      }
  };
  walk(pid);
  return found;
}

/** CPU ms the processes used during `ms` (those that end meanwhile count to their end). */
async function cpuOver(pids: () => number[], ms: number): Promise<number> {
  const read = (list: number[]) =>
    new Map(
      list.map((p) => {
        try {
          return [p, processCpuMs(p)] as const;
        } catch {
          return [p, 0] as const;
        }
      }),
    );
  const before = read(pids());
  await new Promise((r) => setTimeout(r, ms));
  const after = read(pids());
  let used = 0;
  for (const [pid, end] of after) used += end - (before.get(pid) ?? end);
  return used;
}

export async function run(): Promise<BenchResult> {
  const server = await Server.create({
    numWorkers: 1,
    logLevel: 'error',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 46900,
    rtcMaxPort: 46999,
  });
  const endpoint = await WebSocketEndpoint.listen({
    server,
    port: 0,
    host: '127.0.0.1',
    auth: 'none',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
  });
  const url = (room: string) => `ws://127.0.0.1:${endpoint.port}/?roomId=${room}`;
  const closers: (() => unknown)[] = [];
  try {
    // The stream: 1280×720 at 30 fps, moving bars, from a bot in this process.
    const publish = async (room: string) => {
      const { room: publisher, connection } = await joinRoom({
        url: url(room),
        peerName: 'publisher',
      });
      const pattern = new TestPatternSource({ width: 1280, height: 720, fps: FPS });
      await publisher.createProducer(pattern.track).send(publisher.createTransport('send'));
      closers.push(
        () => pattern.close(),
        () => publisher.leave(),
        () => connection.close(),
      );
    };

    // 1. One Node bot against one Chromium page, the same stream, the same window.
    await publish('one');
    const bot = await Bots.start(url('one'), 1);
    closers.push(() => bot.stop());
    await new Promise((r) => setTimeout(r, 4000)); // bandwidth estimation ramps up to 720p
    const botFramesBefore = (await bot.frames())[0]!;
    const botCpu = await cpuOver(() => [bot.child.pid!], WINDOW_MS);
    const botFps = ((await bot.frames())[0]! - botFramesBefore) / (WINDOW_MS / 1000);
    const botSize = bot.size;
    bot.stop();

    let pageCpu = Number.NaN;
    let pageFps = Number.NaN;
    const notes: string[] = [];
    if (!existsSync(CHROMIUM)) notes.push(`no Chromium at ${CHROMIUM}: the page figure is missing`);
    else {
      // The demo page as the viewer; its own camera and microphone paused at once.
      const demo = await startBuiltDemo({
        port: 0,
        host: '127.0.0.1',
        webDir: demoWebDir,
        recordingsDir: '/tmp',
        server: {
          numWorkers: 1,
          logLevel: 'error',
          rtcIPv4: '127.0.0.1',
          rtcIPv6: false,
          rtcMinPort: 46800,
          rtcMaxPort: 46899,
        },
      });
      closers.push(() => demo.close());
      const demoUrl = `ws://127.0.0.1:${demo.port}/ws?room=page`;
      const tokenOf = async (peer: string) =>
        (
          (await (
            await fetch(`http://127.0.0.1:${demo.port}/api/token?room=page&peer=${peer}`)
          ).json()) as { token: string }
        ).token;
      const { room: publisher, connection } = await joinRoom({
        url: demoUrl,
        peerName: 'publisher',
        token: await tokenOf('publisher'),
      });
      const pattern = new TestPatternSource({ width: 1280, height: 720, fps: FPS });
      await publisher.createProducer(pattern.track).send(publisher.createTransport('send'));
      closers.push(
        () => pattern.close(),
        () => publisher.leave(),
        () => connection.close(),
      );
      const browser = await launchChromium();
      closers.push(() => browser.close());
      const page = await browser.newPage();
      await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      await page.goto(`http://127.0.0.1:${demo.port}/?room=page&peer=viewer&autojoin=1`);
      await page.waitForFunction(
        () => (window as { demo?: { video?: unknown } }).demo?.video !== undefined,
      );
      await page.evaluate(() => {
        const d = (
          window as unknown as { demo: { video?: { pause(): void }; audio?: { pause(): void } } }
        ).demo;
        d.video?.pause();
        d.audio?.pause();
      });
      await new Promise((r) => setTimeout(r, 4000));
      const decoded = () =>
        page.evaluate(async () => {
          let frames = 0;
          const d = (
            window as unknown as {
              demo: {
                consumers: Set<{
                  kind: string;
                  closed: boolean;
                  track: MediaStreamTrack | null;
                  transport?: { engine?: { getStats(): Promise<RTCStatsReport> } };
                }>;
              };
            }
          ).demo;
          for (const c of d.consumers) {
            if (c.kind !== 'video' || c.closed) continue;
            const stats = await c.transport?.engine?.getStats();
            stats?.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
              if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
            });
          }
          return frames;
        });
      const before = await decoded();
      const browserPids = () => descendants(process.pid).filter((p) => p !== bot.child.pid);
      pageCpu = await cpuOver(browserPids, WINDOW_MS);
      pageFps = ((await decoded()) - before) / (WINDOW_MS / 1000);
    }

    // 2. How many receiving bots one process keeps on one core.
    const steps: { bots: number; cpuShare: number; decodedShare: number }[] = [];
    await publish('many');
    for (let count = 1; count <= 32; count *= 2) {
      const bots = await Bots.start(url('many'), count);
      await new Promise((r) => setTimeout(r, 4000));
      const before = await bots.frames();
      const cpu = await cpuOver(() => [bots.child.pid!], WINDOW_MS);
      const after = await bots.frames();
      bots.stop();
      // Against what one bot alone decodes of the same stream (the publisher's
      // encoder, on this busy machine, may send fewer than 30 fps).
      const decodedShare =
        after.reduce((s, f, i) => s + (f - before[i]!), 0) / (count * botFps * (WINDOW_MS / 1000));
      const step = { bots: count, cpuShare: cpu / WINDOW_MS, decodedShare };
      steps.push(step);
      console.log(
        `  ${count} bot(s): ${(step.cpuShare * 100).toFixed(0)} % of a core, ${(decodedShare * 100).toFixed(0)} % of the frames decoded`,
      );
      if (step.cpuShare > 1 || decodedShare < 0.9) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const carried = steps.filter((s) => s.cpuShare <= 1 && s.decodedShare >= 0.9).at(-1);
    const perBot = steps[0]!.cpuShare;
    notes.push(
      `Bots per process: ${steps.map((s) => `${s.bots} → ${(s.cpuShare * 100).toFixed(0)} % CPU, ${(s.decodedShare * 100).toFixed(0)} % decoded`).join('; ')}. On this 2-core machine the server and the publisher share the cores with the bots.`,
      'The Chromium figure is the whole browser (renderer, GPU and network processes) showing the stream in the demo page, its own camera and microphone paused.',
    );
    return {
      name: 'bots',
      title:
        'A receiving bot (Node, libwebrtc, frames decoded) vs a Chromium page, 1280×720 30 fps',
      figures: [
        figure({
          name: 'CPU of one receiver (a Node bot vs a Chromium page)',
          unit: '% of a core',
          value: (botCpu / WINDOW_MS) * 100,
          baseline: (pageCpu / WINDOW_MS) * 100,
          baselineName: 'Chromium page',
          higherIsBetter: false,
          note: `decoded ${botFps.toFixed(1)} fps of ${botSize} (bot) and ${pageFps.toFixed(1)} fps (page)`,
        }),
        figure({
          name: 'receiving bots one core carries (each decodes ≥ 90 % of what one alone does)',
          unit: 'bots',
          value: carried?.bots ?? 0,
          baseline: Math.floor(1 / perBot),
          baselineName: 'one core ÷ the CPU of one bot',
          higherIsBetter: true,
        }),
      ],
      details: { steps, botCpu, pageCpu, botFps, pageFps, botSize },
      notes,
    };
  } finally {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    await endpoint.close();
    server.close();
  }
}
