// A bot in Node (@x/node: @x/client on libwebrtc) and a Chromium page of the
// demo in one room: the bot publishes a 440 Hz tone and a test pattern, the
// page measures the dominant frequency of what it hears (WebAudio's
// AnalyserNode) and decodes the pattern; the page's camera reaches the bot as
// I420 frames of the size the page sends. Then the same with a bot in Python
// (x_signaling.media on aiortc, from the wheel in a fresh virtual
// environment), and a Node bot and a Python bot that hear each other.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Consumer } from '@x/client';
import { audioFrames, joinRoom, TestPatternSource, ToneSource, videoFrames } from '@x/node';
import { launchChromium } from '@x/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../src/demo.js';
import { chromiumPage, type DemoPage, expectFlowing, expectJoined } from './helpers/pages.js';
import {
  type PythonProcess,
  type PythonVenv,
  pythonExamples,
  pythonProbe,
  pythonVenv,
  runPython,
} from './helpers/pythonBots.js';
import { startTestDemo } from './helpers/testDemo.js';

const examples = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../packages/node/examples',
);
const scratch = mkdtempSync(join(tmpdir(), 'x-demo-bots-'));
let demo: Demo;
let browser: Browser;
let venv: PythonVenv;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  demo = await startTestDemo({ recordingsDir: scratch, rtcPort: 44700, rtcPorts: 100 });
  // A fake camera at 30 fps (Chromium's starts at 20): the bot must keep up with more than 20.
  browser = await launchChromium(['--use-fake-device-for-media-stream=fps=30']);
  venv = pythonVenv();
}, 90_000);

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await browser?.close();
  await demo?.close();
  venv?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/** A token from the demo's API, as the page gets one. */
async function token(room: string, peer: string): Promise<string> {
  const answer = await fetch(`http://127.0.0.1:${demo.port}/api/token?room=${room}&peer=${peer}`);
  return ((await answer.json()) as { token: string }).token;
}

/** The dominant frequency (Hz) of what the page hears from `peer`: the median of 10 FFT peaks. */
async function dominantFrequency(page: DemoPage, peer: string): Promise<number> {
  const peaks = await page.evaluate(async (name) => {
    const consumer = [...(window.demo?.consumers ?? [])].find(
      (c) => c.peer.name === name && c.kind === 'audio' && c.track && !c.closed,
    )!;
    const context = new AudioContext();
    await context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 16384;
    context.createMediaStreamSource(new MediaStream([consumer.track!])).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const found: number[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 300));
      analyser.getFloatFrequencyData(bins);
      let best = 0;
      for (let b = 1; b < bins.length; b++) if (bins[b]! > bins[best]!) best = b;
      found.push((best * context.sampleRate) / analyser.fftSize);
    }
    await context.close();
    return found;
  }, peer);
  return peaks.sort((x, y) => x - y)[Math.floor(peaks.length / 2)]!;
}

describe('a bot in Node and a Chromium page', () => {
  it('the page hears the bot’s 440 Hz tone and sees its pattern; the bot gets the page’s camera as I420 frames', async () => {
    const room = 'bots';
    const { room: bot, connection } = await joinRoom({
      url: `ws://127.0.0.1:${demo.port}/ws?room=${room}`,
      peerName: 'bot',
      token: await token(room, 'bot'),
      appData: { displayName: 'bot' },
    });
    closers.push(
      () => connection.close(),
      () => bot.leave(),
    );
    const tone = new ToneSource({ frequency: 440 });
    const pattern = new TestPatternSource({ width: 320, height: 240, fps: 30 });
    closers.push(
      () => tone.close(),
      () => pattern.close(),
    );
    const send = bot.createTransport('send');
    await bot.createProducer(tone.track, {}, { source: 'mic' }).send(send);
    await bot.createProducer(pattern.track, {}, { source: 'cam' }).send(send);

    const context = await browser.newContext();
    closers.push(() => context.close());
    const page: DemoPage = await chromiumPage(
      context,
      'alice',
      `http://127.0.0.1:${demo.port}/?room=${room}&peer=alice&autojoin=1`,
    );
    await expectJoined(page);
    await expectFlowing(page, 'bot');

    // The page measures what it hears from the bot: the loudest bin of an FFT.
    const frequency = await dominantFrequency(page, 'bot');
    console.log(`the page hears the bot's tone at ${frequency.toFixed(1)} Hz (sent 440 Hz)`);
    expect(Math.abs(frequency - 440)).toBeLessThanOrEqual(10);

    // The bot receives the page's camera: decoded I420 frames of the size the page sends.
    const alice =
      bot.getPeerByName('alice') ??
      (await new Promise<NonNullable<ReturnType<typeof bot.getPeerByName>>>((resolve) =>
        bot.once('newpeer', resolve),
      ));
    const camera = await new Promise<Consumer>((resolve) => {
      const pick = (c: Consumer) => {
        if (c.kind === 'video') resolve(c);
      };
      alice.consumers.forEach(pick);
      alice.on('newconsumer', pick);
    });
    const track = await camera.receive(bot.createTransport('recv'));
    const sent = await page.evaluate(() => {
      const settings = window.demo!.video!.track.getSettings();
      return { width: settings.width!, height: settings.height!, frameRate: settings.frameRate };
    });
    const sizes = new Set<string>();
    let frames = 0;
    let first = 0;
    let start = 0;
    // The first second is the sender's ramp-up (bandwidth estimation, encoder): counted after it.
    for await (const frame of videoFrames(track)) {
      const now = performance.now();
      start ||= now;
      expect(frame.data.byteLength).toBe((frame.width * frame.height * 3) / 2);
      if (now - start < 1000) continue;
      if (frames === 0) first = now;
      frames++;
      sizes.add(`${frame.width}x${frame.height}`);
      if (now - first >= 4000) break;
    }
    const fps = (frames - 1) / ((performance.now() - first) / 1000);
    console.log(
      `the bot decodes the page's camera: ${[...sizes].join(', ')} at ${fps.toFixed(1)} fps (sent ${sent.width}x${sent.height} at ${sent.frameRate} fps)`,
    );
    expect([...sizes].at(-1)).toBe(`${sent.width}x${sent.height}`);
    expect(fps).toBeGreaterThanOrEqual(20);
  });

  it('the examples: the echo agent follows the active speaker (a tone bot) and plays it back; the page hears 660 Hz from the agent', async () => {
    const room = 'echo';
    const { room: speaker, connection } = await joinRoom({
      url: `ws://127.0.0.1:${demo.port}/ws?room=${room}`,
      peerName: 'speaker',
      token: await token(room, 'speaker'),
    });
    closers.push(
      () => connection.close(),
      () => speaker.leave(),
    );
    const tone = new ToneSource({ frequency: 660, amplitude: 0.5 });
    closers.push(() => tone.close());
    await speaker.createProducer(tone.track).send(speaker.createTransport('send'));
    const agent = spawn(
      process.execPath,
      [join(examples, 'echo-agent.mjs'), `http://127.0.0.1:${demo.port}`, room, 'echo'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    agent.stdout.on('data', (d) => {
      output += d;
    });
    agent.stderr.on('data', (d) => {
      output += d;
    });
    closers.push(() => agent.kill('SIGINT'));
    const context = await browser.newContext();
    closers.push(() => context.close());
    const page = await chromiumPage(
      context,
      'carol',
      `http://127.0.0.1:${demo.port}/?room=${room}&peer=carol&autojoin=1`,
    );
    await expectJoined(page);
    await expect.poll(() => output, { timeout: 20_000 }).toContain('listening to speaker');
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            [...(window.demo?.consumers ?? [])].some(
              (c) => c.peer.name === 'echo' && c.kind === 'audio' && c.track !== null,
            ),
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
    const echoed = await dominantFrequency(page, 'echo');
    console.log(
      `the page hears the echo agent at ${echoed.toFixed(1)} Hz (the speaker's tone: 660 Hz)`,
    );
    expect(Math.abs(echoed - 660)).toBeLessThanOrEqual(10);
  });
});

/** A Python process ended with the test. */
function python(script: string, args: string[]): PythonProcess {
  const child = runPython(venv, script, args);
  closers.push(() => child.stop());
  return child;
}

/** The first JSON line of `key` the process prints (its value), within `timeoutMs`. */
async function line<T>(child: PythonProcess, key: string, timeoutMs = 30_000): Promise<T> {
  await expect
    .poll(() => child.lines().some((l) => key in l), { timeout: timeoutMs })
    .toBe(true)
    .catch((error: Error) => {
      throw new Error(`${error.message}\noutput of the Python process:\n${child.output()}`);
    });
  return child.lines().find((l) => key in l)![key] as T;
}

describe('a bot in Python (x_signaling.media) and a Chromium page', () => {
  it('the page hears the Python bot’s 660 Hz tone and sees its pattern; the page’s camera reaches Python as av.VideoFrames of the sent size', async () => {
    const room = 'py-bots';
    const bot = python(join(pythonExamples, 'tone_and_pattern_bot.py'), [
      `http://127.0.0.1:${demo.port}`,
      room,
      'pybot',
      '660',
    ]);
    await expect.poll(() => bot.output(), { timeout: 30_000 }).toContain('pybot is in room');
    const context = await browser.newContext();
    closers.push(() => context.close());
    const page = await chromiumPage(
      context,
      'dave',
      `http://127.0.0.1:${demo.port}/?room=${room}&peer=dave&autojoin=1`,
    );
    await expectJoined(page);
    await expectFlowing(page, 'pybot');
    const frequency = await dominantFrequency(page, 'pybot');
    console.log(`the page hears the Python bot's tone at ${frequency.toFixed(1)} Hz (sent 660 Hz)`);
    expect(Math.abs(frequency - 660)).toBeLessThanOrEqual(10);
    const pattern = await page.evaluate(() => {
      const consumer = [...(window.demo?.consumers ?? [])].find(
        (c) => c.peer.name === 'pybot' && c.kind === 'video' && c.track,
      );
      return consumer?.track?.getSettings();
    });
    console.log(`the page receives the Python bot's pattern: ${JSON.stringify(pattern)}`);

    // Chromium may scale its encoding down under CPU load (libwebrtc's
    // adaptation, in 3/4 steps; 480x360 of a 640x480 camera once in CI): the
    // size Python must decode is one the page's encoder sent meanwhile.
    await page.evaluate(() => {
      const sizes = new Set<string>();
      (window as unknown as { encodedSizes: Set<string> }).encodedSizes = sizes;
      const sample = async () => {
        const report = await window.demo?.video?.engine?.getStats();
        report?.forEach((s: { type: string; frameWidth?: number; frameHeight?: number }) => {
          if (s.type === 'outbound-rtp' && s.frameWidth)
            sizes.add(`${s.frameWidth}x${s.frameHeight}`);
        });
      };
      void sample();
      setInterval(() => void sample(), 200);
    });
    // A Python listener in the same room measures the page's camera.
    const listener = python(pythonProbe, [
      ...['--url', `ws://127.0.0.1:${demo.port}/ws?room=${room}`],
      ...['--token', await token(room, 'pylisten'), '--peer', 'pylisten'],
      ...['--listen', 'dave', '--seconds', '4'],
    ]);
    const sent = await page.evaluate(() => {
      const settings = window.demo!.video!.track.getSettings();
      return { width: settings.width!, height: settings.height!, frameRate: settings.frameRate };
    });
    const video = await line<{
      width: number;
      height: number;
      fps: number;
      type: string;
      format: string;
    }>(listener, 'video');
    console.log(
      `Python decodes the page's camera: ${video.width}x${video.height} ${video.type} (${video.format}) at ${video.fps.toFixed(1)} fps (sent ${sent.width}x${sent.height} at ${sent.frameRate} fps)`,
    );
    expect(video.type).toBe('VideoFrame');
    const encoded = await page.evaluate(() => [
      ...(window as unknown as { encodedSizes: Set<string> }).encodedSizes,
    ]);
    console.log(`the page's encoder sent ${encoded.join(', ')} meanwhile`);
    expect(encoded).toContain(`${video.width}x${video.height}`);
    // The camera's picture, whole: its aspect, at most its size.
    expect(video.width / video.height).toBeCloseTo(sent.width / sent.height, 2);
    expect(video.width).toBeLessThanOrEqual(sent.width);
    expect(video.fps).toBeGreaterThanOrEqual(20);
    const audio = await line<{ frequency: number }>(listener, 'audio');
    console.log(
      `Python hears the page's microphone (Chromium's fake device) at ${audio.frequency.toFixed(1)} Hz`,
    );
  });

  it('the Python echo agent follows the active speaker (a Node tone bot) and plays it back; the page hears 550 Hz from it', async () => {
    const room = 'py-echo';
    const { room: speaker, connection } = await joinRoom({
      url: `ws://127.0.0.1:${demo.port}/ws?room=${room}`,
      peerName: 'speaker',
      token: await token(room, 'speaker'),
    });
    closers.push(
      () => connection.close(),
      () => speaker.leave(),
    );
    const tone = new ToneSource({ frequency: 550, amplitude: 0.5 });
    closers.push(() => tone.close());
    await speaker.createProducer(tone.track).send(speaker.createTransport('send'));
    const agent = python(join(pythonExamples, 'echo_agent.py'), [
      `http://127.0.0.1:${demo.port}`,
      room,
      'pyecho',
    ]);
    const context = await browser.newContext();
    closers.push(() => context.close());
    const page = await chromiumPage(
      context,
      'erin',
      `http://127.0.0.1:${demo.port}/?room=${room}&peer=erin&autojoin=1`,
    );
    await expectJoined(page);
    await expect.poll(() => agent.output(), { timeout: 30_000 }).toContain('listening to speaker');
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            [...(window.demo?.consumers ?? [])].some(
              (c) => c.peer.name === 'pyecho' && c.kind === 'audio' && c.track !== null,
            ),
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
    const echoed = await dominantFrequency(page, 'pyecho');
    console.log(
      `the page hears the Python echo agent at ${echoed.toFixed(1)} Hz (the speaker's tone: 550 Hz)`,
    );
    expect(Math.abs(echoed - 550)).toBeLessThanOrEqual(10);
  });

  it('a Node bot and a Python bot hear each other: 440 Hz measured in Python, 660 Hz in Node', async () => {
    const room = 'node-py';
    const { room: node, connection } = await joinRoom({
      url: `ws://127.0.0.1:${demo.port}/ws?room=${room}`,
      peerName: 'nodebot',
      token: await token(room, 'nodebot'),
    });
    closers.push(
      () => connection.close(),
      () => node.leave(),
    );
    const tone = new ToneSource({ frequency: 440 });
    closers.push(() => tone.close());
    await node.createProducer(tone.track).send(node.createTransport('send'));
    const py = python(pythonProbe, [
      ...['--url', `ws://127.0.0.1:${demo.port}/ws?room=${room}`],
      ...['--token', await token(room, 'pybot'), '--peer', 'pybot'],
      ...['--tone', '660', '--listen', 'nodebot'],
    ]);

    // Node listens to the Python bot: two seconds of PCM after one to settle, zero crossings.
    const pyPeer =
      node.getPeerByName('pybot') ??
      (await new Promise<NonNullable<ReturnType<typeof node.getPeerByName>>>((resolve) =>
        node.on('newpeer', (peer) => {
          if (peer.name === 'pybot') resolve(peer);
        }),
      ));
    const voice = await new Promise<Consumer>((resolve) => {
      const pick = (c: Consumer) => {
        if (c.kind === 'audio') resolve(c);
      };
      pyPeer.consumers.forEach(pick);
      pyPeer.on('newconsumer', pick);
    });
    const mono: number[] = [];
    let seconds = 0;
    let frames = 0;
    for await (const frame of audioFrames(await voice.receive(node.createTransport('recv')))) {
      if (++frames <= 100) continue;
      for (let i = 0; i < frame.samples.length; i += frame.channels) mono.push(frame.samples[i]!);
      seconds += frame.samples.length / frame.channels / frame.sampleRate;
      if (frames >= 300) break;
    }
    let crossings = 0;
    for (let i = 1; i < mono.length; i++) if (mono[i - 1]! < 0 !== mono[i]! < 0) crossings++;
    const inNode = crossings / 2 / seconds;
    const inPython = (await line<{ frequency: number }>(py, 'audio')).frequency;
    console.log(
      `the Node bot hears the Python bot at ${inNode.toFixed(1)} Hz (sent 660), the Python bot hears the Node bot at ${inPython.toFixed(1)} Hz (sent 440)`,
    );
    expect(Math.abs(inNode - 660)).toBeLessThanOrEqual(10);
    expect(Math.abs(inPython - 440)).toBeLessThanOrEqual(10);
  });
});
