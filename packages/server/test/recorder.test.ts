// The Recorder whatever happens to its source: real workers, ffmpeg sending
// into RTP ingests, the Recorder's real ffmpeg, and ffprobe/ffmpeg reading
// the files back. Every case asserts that the recording ends within a bound,
// with a finished file of what was recorded (duration, cues, seekable) or
// with `failed` and no file, and that no ffmpeg is left behind.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { probe, requireBinary, sleep } from '@x/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Recorder, type RecordingResult, type Room } from '../src/index.js';
import { startServer, type TestServer } from './helpers/fixtures.js';
import {
  childProcesses,
  decodesAt,
  type MediaSource,
  matroskaLayout,
  mediaSource,
} from './helpers/recording.js';

/** How long a recording may take to end, from what ends it to its result. */
const END_BOUND_MS = 10_000;
/** How far the file's duration may be from the time recorded. */
const DURATION_TOLERANCE_S = 1;

let t: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'x-recorder-test-'));
let rooms = 0;
// Each test's sender ffmpegs and room, closed after it (senders left running load the machine).
let current: { room: Room; source: MediaSource } | undefined;

beforeAll(async () => {
  requireBinary('ffmpeg', 'ffmpeg');
  requireBinary('ffprobe', 'ffmpeg');
  t = await startServer({ rtcMinPort: 46000, rtcMaxPort: 46999 });
});

afterEach(() => {
  current?.source.close();
  current?.room.close();
  current = undefined;
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setUp(send: { audio: boolean; video: boolean }) {
  const room = await t.server.createRoom({ id: `recorder-${++rooms}` });
  const source = await mediaSource(room, 'alice', send).catch((error) => {
    room.close();
    throw error;
  });
  current = { room, source };
  return { room, source, file: join(dir, `${room.id}.webm`) };
}

/** A recording of both producers, with when start() was called and when it resolved. */
async function record(room: Room, source: MediaSource, file: string) {
  const called = Date.now();
  const recorder = await Recorder.start({
    room,
    producers: [source.audio.producer, source.video.producer],
    file,
  });
  return { recorder, called, started: Date.now() };
}

/**
 * What a recording that ran until `end` holds, in seconds, as a range. ffmpeg
 * times the media by the RTCP sender reports (wall clock), so the file lasts
 * the time recorded; but a sender ffmpeg starved of CPU on a loaded machine
 * stalls and then catches up, and its media time then differs from the wall
 * clock by up to the stall. The range spans both: the media a witness
 * streamer got and the wall-clock time, from start() called or resolved.
 */
function recordedUntil(
  source: MediaSource,
  rec: { called: number; started: number },
  end: number,
): { low: number; high: number } {
  return {
    low: Math.min(source.mediaBetween(rec.started, end), (end - rec.started) / 1000),
    high: Math.max(source.mediaBetween(rec.called, end), (end - rec.called) / 1000),
  };
}

/** Resolves with the result and how long it took from `since`. */
function closed(recorder: Recorder, since: () => number) {
  return new Promise<{ result: RecordingResult; ms: number }>((resolve) =>
    recorder.once('close', (result) => resolve({ result, ms: Date.now() - since() })),
  );
}

/** What every finished recording must be: complete, seekable, of the recorded length, alone. */
function expectFinished(
  result: RecordingResult,
  expected: {
    recorded: { low: number; high: number };
    kinds: ('audio' | 'video')[];
    /** How long it took to end (logged). */
    endedInMs: number;
    /** Seconds the file may lack at its end besides the tolerance (a killed ffmpeg). */
    lost?: number;
    /** Where to seek and decode each kind (default: the middle of the file). */
    seekAt?: Partial<Record<'audio' | 'video', number>>;
  },
) {
  expect(result.status, result.error).toBe('done');
  expect(result.error).toBeUndefined();
  const info = probe(result.file);
  const { low, high } = expected.recorded;
  console.log(
    `${basename(result.file)}: ${result.reason} in ${expected.endedInMs} ms; recorded ${low.toFixed(2)}-${high.toFixed(2)} s, file ${info.format.duration} s`,
  );
  expect(expected.endedInMs).toBeLessThan(END_BOUND_MS);
  expect(info.streams.map((s) => s.codec_type).sort()).toEqual([...expected.kinds].sort());
  for (const stream of info.streams) expect(stream.nb_read_frames).toBeGreaterThan(0);
  expect(info.format.duration).toBeGreaterThanOrEqual(
    low - DURATION_TOLERANCE_S - (expected.lost ?? 0),
  );
  expect(info.format.duration).toBeLessThanOrEqual(high + DURATION_TOLERANCE_S);
  expect(Math.abs(result.durationMs / 1000 - info.format.duration)).toBeLessThan(0.01);
  const layout = matroskaLayout(result.file);
  expect(layout, layout.elements.join(',')).toMatchObject({ cues: true, complete: true });
  for (const kind of expected.kinds) {
    const at = expected.seekAt?.[kind] ?? info.format.duration / 2;
    expect(decodesAt(result.file, at, kind), `seek ${kind} to ${at} s`).toBe(true);
  }
  expectNothingLeft(result.file);
}

/** No ffmpeg of this recording runs, and nothing but the finished file is in its folder. */
function expectNothingLeft(file: string) {
  expect(childProcesses(basename(file))).toEqual([]);
  const leftovers = readdirSync(dir).filter(
    (f) => f.includes(basename(file)) && f !== basename(file),
  );
  expect(leftovers).toEqual([]);
}

describe('Recorder: the recording ends with a finished file whatever the source does', () => {
  it('the source peer leaves: it ends by itself (peer_left) with both streams', async () => {
    const { room, source, file } = await setUp({ audio: true, video: true });
    const rec = await record(room, source, file);
    await sleep(3000);
    let left = 0;
    const end = closed(rec.recorder, () => left);
    left = Date.now();
    source.audio.peer.close();
    const { result, ms } = await end;
    expect(result.reason).toBe('peer_left');
    expect(result.exitCode).toBe(0);
    expect(rec.recorder.streamers.every((s) => s.closed)).toBe(true);
    expectFinished(result, {
      recorded: recordedUntil(source, rec, left),
      kinds: ['audio', 'video'],
      endedInMs: ms,
    });
    expect(result.streams.map((s) => [s.kind, s.packets > 0])).toEqual([
      ['audio', true],
      ['video', true],
    ]);
    expect(await rec.recorder.stop()).toBe(result);
  });

  it('the producers are paused for 4 s, then stop(): it holds what came before the pause', async () => {
    const { room, source, file } = await setUp({ audio: true, video: true });
    const rec = await record(room, source, file);
    await sleep(3000);
    source.audio.producer.pause();
    source.video.producer.pause();
    const paused = Date.now();
    await sleep(4000);
    const stopping = Date.now();
    const result = await rec.recorder.stop();
    expect(result.reason).toBe('stopped');
    expect(result.exitCode).toBe(0);
    expectFinished(result, {
      recorded: recordedUntil(source, rec, paused),
      kinds: ['audio', 'video'],
      endedInMs: Date.now() - stopping,
    });
  });

  it('a muted microphone (no audio RTP at all): it records the video alone', async () => {
    const { room, source, file } = await setUp({ audio: false, video: true });
    const rec = await record(room, source, file);
    await sleep(4000);
    const stopping = Date.now();
    const result = await rec.recorder.stop();
    expectFinished(result, {
      recorded: recordedUntil(source, rec, stopping),
      kinds: ['video'],
      endedInMs: Date.now() - stopping,
    });
    expect(result.streams.find((s) => s.kind === 'audio')).toMatchObject({ packets: 0 });
    expect(result.streams.find((s) => s.kind === 'video')!.packets).toBeGreaterThan(60);
  });

  it('a camera that stops mid-recording: the recording goes on with its audio', async () => {
    const { room, source, file } = await setUp({ audio: true, video: true });
    const rec = await record(room, source, file);
    await sleep(2500);
    source.silence('video');
    const cameraStopped = Date.now();
    await sleep(3000);
    const stopping = Date.now();
    const result = await rec.recorder.stop();
    // The video the camera sent while recorded (from start() resolved or called).
    const video = {
      low: source.mediaBetween(rec.started, cameraStopped, 'video'),
      high: source.mediaBetween(rec.called, cameraStopped, 'video'),
    };
    expectFinished(result, {
      recorded: recordedUntil(source, rec, stopping),
      kinds: ['audio', 'video'],
      endedInMs: Date.now() - stopping,
      seekAt: { video: video.low / 2 },
    });
    // The video track holds that (30 fps), and the audio goes on after it.
    const frames = probe(result.file).streams.find((s) => s.codec_type === 'video')!.nb_read_frames;
    console.log(`video sent ${video.low.toFixed(2)}-${video.high.toFixed(2)} s, ${frames} frames`);
    expect(frames / 30).toBeGreaterThanOrEqual(video.low - DURATION_TOLERANCE_S);
    expect(frames / 30).toBeLessThanOrEqual(video.high + DURATION_TOLERANCE_S);
    expect(result.durationMs / 1000).toBeGreaterThan(frames / 30 + 2);
  });

  it('a camera that sends nothing when it starts is left out: it records the audio', async () => {
    const { room, source, file } = await setUp({ audio: true, video: false });
    const rec = await record(room, source, file);
    expect(rec.recorder.streamers.map((s) => s.consumer.kind)).toEqual(['audio']);
    await sleep(3000);
    const stopping = Date.now();
    const result = await rec.recorder.stop();
    expectFinished(result, {
      recorded: recordedUntil(source, rec, stopping),
      kinds: ['audio'],
      endedInMs: Date.now() - stopping,
    });
    expect(result.streams.find((s) => s.kind === 'video')).toMatchObject({
      packets: 0,
      skipped: 'the camera sent nothing when the recording started',
    });
  });

  it('nothing is ever received, then the room closes: failed (room_closed), and no file', async () => {
    const { room, source, file } = await setUp({ audio: false, video: false });
    const { recorder } = await record(room, source, file);
    await sleep(2000);
    let closing = 0;
    const end = closed(recorder, () => closing);
    closing = Date.now();
    room.close();
    const { result, ms } = await end;
    console.log(`${basename(file)}: ${result.reason} in ${ms} ms: ${result.error}`);
    expect(ms).toBeLessThan(END_BOUND_MS);
    expect(result).toMatchObject({
      status: 'failed',
      reason: 'room_closed',
      error: 'no media was received',
      durationMs: 0,
    });
    expect(existsSync(file)).toBe(false);
    expectNothingLeft(file);
    expect(await recorder.stop()).toBe(result);
  });

  it("the camera's producer closes: it goes on with the audio, and ends (producer_closed) with the microphone's", async () => {
    const { room, source, file } = await setUp({ audio: true, video: true });
    const rec = await record(room, source, file);
    await sleep(2000);
    source.video.producer.close();
    const cameraClosed = Date.now();
    await sleep(2000);
    expect(rec.recorder.closed).toBe(false);
    let closing = 0;
    const end = closed(rec.recorder, () => closing);
    closing = Date.now();
    source.audio.producer.close();
    const { result, ms } = await end;
    expect(result.reason).toBe('producer_closed');
    expectFinished(result, {
      recorded: recordedUntil(source, rec, closing),
      kinds: ['audio', 'video'],
      endedInMs: ms,
      seekAt: { video: source.mediaBetween(rec.started, cameraClosed, 'video') / 2 },
    });
  });

  it('ffmpeg is killed mid-recording: the cut file is remuxed into a finished one', async () => {
    const { room, source, file } = await setUp({ audio: true, video: true });
    const rec = await record(room, source, file);
    await sleep(4000);
    const [ffmpeg] = childProcesses(basename(file));
    expect(ffmpeg?.args ?? '').toContain('ffmpeg');
    let killed = 0;
    const end = closed(rec.recorder, () => killed);
    killed = Date.now();
    process.kill(ffmpeg!.pid, 'SIGKILL');
    const { result, ms } = await end;
    expect(result).toMatchObject({ reason: 'ffmpeg_exited', exitCode: null });
    expectFinished(result, {
      recorded: recordedUntil(source, rec, killed),
      kinds: ['audio', 'video'],
      endedInMs: ms,
      // What ffmpeg had not written yet is lost: it holds up to 1 s to
      // interleave the streams, and writes a cluster (1 s) once complete.
      lost: 2,
    });
  });

  // Last: it kills the server's only worker (a new one replaces it).
  it('the media worker dies (SIGKILL): it ends by itself (worker_died) with what was recorded', async () => {
    const { room, source, file } = await setUp({ audio: true, video: true });
    const rec = await record(room, source, file);
    await sleep(3000);
    let died = 0;
    const end = closed(rec.recorder, () => died);
    died = Date.now();
    process.kill(t.server.workers[0]!.pid, 'SIGKILL');
    const { result, ms } = await end;
    expect(result.reason).toBe('worker_died');
    // The room goes on (a dead worker takes only the peers that lived on it).
    expect(room.closed).toBe(false);
    expect(source.video.peer.closed).toBe(true);
    expectFinished(result, {
      recorded: recordedUntil(source, rec, died),
      kinds: ['audio', 'video'],
      endedInMs: ms,
    });
  });
});
