// Two bots on libwebrtc against a real server (real mediasoup worker, real
// WebSocket endpoint): what one publishes, the other decodes — the tone's
// frequency from its PCM, the pattern's size and rate from its I420 frames —
// and the sources refuse what they cannot send. (A bot with Chromium pages:
// apps/demo/test/bots.test.ts; installed from npm: tests/packaging.)
import { roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudioSource,
  audioFrames,
  type JoinedRoom,
  joinRoom,
  TestPatternSource,
  ToneSource,
  VideoSource,
  videoFrames,
} from '../src/index.js';

let server: Server;
let endpoint: WebSocketEndpoint;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  server = await Server.create({
    numWorkers: 1,
    logLevel: 'warn',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 47200,
    rtcMaxPort: 47299,
  });
  endpoint = await WebSocketEndpoint.listen({
    server,
    port: 0,
    host: '127.0.0.1',
    auth: 'none',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
  });
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await endpoint?.close();
  server?.close();
});

async function bot(room: string, peerName: string): Promise<JoinedRoom> {
  const joined = await joinRoom({
    url: `ws://127.0.0.1:${endpoint.port}/?roomId=${room}`,
    peerName,
  });
  closers.push(
    () => joined.room.leave(),
    () => joined.connection.close(),
  );
  return joined;
}

/** The first consumer of `kind` that `listener` gets from `speaker`, received. */
async function receive(listener: JoinedRoom, speaker: string, kind: 'audio' | 'video') {
  const peer =
    listener.room.getPeerByName(speaker) ??
    (await new Promise<NonNullable<ReturnType<typeof listener.room.getPeerByName>>>((resolve) =>
      listener.room.on('newpeer', (p) => p.name === speaker && resolve(p)),
    ));
  const consumer =
    peer.consumers.find((c) => c.kind === kind) ??
    (await new Promise<(typeof peer.consumers)[number]>((resolve) =>
      peer.on('newconsumer', (c) => c.kind === kind && resolve(c)),
    ));
  return consumer.receive(listener.room.createTransport('recv'));
}

describe('bots in Node', () => {
  it('a bot hears another bot’s tone at its frequency, and decodes its test pattern at its size', async () => {
    const speaker = await bot('pair', 'speaker');
    const listener = await bot('pair', 'listener');
    const tone = new ToneSource({ frequency: 523.25 });
    const pattern = new TestPatternSource({ width: 320, height: 240, fps: 30 });
    closers.push(
      () => tone.close(),
      () => pattern.close(),
    );
    const send = speaker.room.createTransport('send');
    await speaker.room.createProducer(tone.track).send(send);
    await speaker.room.createProducer(pattern.track).send(send);

    // Audio: one second to settle, then two seconds of PCM; frequency by zero crossings.
    // (libwebrtc may hand the first frames at another rate: each frame counts its own duration.)
    const mono: number[] = [];
    let seconds = 0;
    let frames = 0;
    for await (const frame of audioFrames(await receive(listener, 'speaker', 'audio'))) {
      if (++frames <= 100) continue;
      for (let i = 0; i < frame.samples.length; i += frame.channels) mono.push(frame.samples[i]!);
      seconds += frame.samples.length / frame.channels / frame.sampleRate;
      if (frames >= 300) break;
    }
    let crossings = 0;
    for (let i = 1; i < mono.length; i++) if (mono[i - 1]! < 0 !== mono[i]! < 0) crossings++;
    const frequency = crossings / 2 / seconds;
    console.log(`a bot hears another bot's 523.25 Hz tone at ${frequency.toFixed(1)} Hz`);
    expect(Math.abs(frequency - 523.25)).toBeLessThanOrEqual(5);

    // Video: every frame I420 of the sent size, at about the sent rate.
    const video = await receive(listener, 'speaker', 'video');
    let count = 0;
    let first = 0;
    const sizes = new Set<string>();
    for await (const frame of videoFrames(video)) {
      expect(frame.data.byteLength).toBe((frame.width * frame.height * 3) / 2);
      sizes.add(`${frame.width}x${frame.height}`);
      if (count++ === 0) first = performance.now();
      if (performance.now() - first >= 2000) break;
    }
    const fps = (count - 1) / ((performance.now() - first) / 1000);
    console.log(
      `it decodes the 320x240 pattern as ${[...sizes].join(', ')} at ${fps.toFixed(1)} fps`,
    );
    expect([...sizes]).toEqual(['320x240']);
    expect(fps).toBeGreaterThanOrEqual(20);
  });

  it('sources refuse what they cannot send, and hold a partial 10 ms frame for the next push', () => {
    const video = new VideoSource();
    expect(() => video.push({ width: 4, height: 4, data: new Uint8Array(10) })).toThrow(
      /I420 frame of 4×4 has 24 bytes, not 10/,
    );
    video.push({ width: 4, height: 4, data: new Uint8Array(24) });
    video.close();
    expect(() => new TestPatternSource({ width: 321, height: 240 })).toThrow(/even/);
    const audio = new AudioSource({ sampleRate: 48_000, channels: 2 });
    expect(audio.track.kind).toBe('audio');
    // 15 ms of stereo: one 10 ms frame goes out, 5 ms wait for the next push.
    audio.push(new Int16Array(48 * 2 * 15));
    audio.push(new Int16Array(48 * 2 * 5));
    audio.close();
  });
});
