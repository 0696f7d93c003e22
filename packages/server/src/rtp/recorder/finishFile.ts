import { execFile } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CaptureExit } from './FfmpegCapture.js';

/** Containers a recording is written in. */
export type Container = 'webm' | 'matroska' | 'mp4';

/** What ffprobe reads of a file. */
export interface ProbedFile {
  /** Seconds, from the container (absent when the file has no duration). */
  duration: number | undefined;
  streams: { index: number; kind: string; codec: string; packets: number }[];
}

/** How the file came out. */
export type FinishedFile =
  | { status: 'done'; probe: ProbedFile; remuxed: boolean }
  | { status: 'failed'; error: string; probe: ProbedFile | undefined };

function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${binary} not found: install the Debian package ffmpeg`
          : stderr.trim().split('\n').slice(-3).join(' ') || error.message;
      reject(new Error(reason));
    });
  });
}

/** Reads a media file's duration and its streams' packet counts (demuxes it: no decoding). */
export async function probeFile(ffprobePath: string, file: string): Promise<ProbedFile> {
  const out = await run(ffprobePath, [
    '-v',
    'error',
    '-count_packets',
    '-show_entries',
    'format=duration:stream=index,codec_type,codec_name,nb_read_packets',
    '-of',
    'json',
    file,
  ]);
  const json = JSON.parse(out) as {
    format?: { duration?: string };
    streams?: {
      index: number;
      codec_type?: string;
      codec_name?: string;
      nb_read_packets?: string;
    }[];
  };
  const duration = Number(json.format?.duration);
  return {
    duration: Number.isFinite(duration) ? duration : undefined,
    streams: (json.streams ?? []).map((s) => ({
      index: s.index,
      kind: s.codec_type ?? 'unknown',
      codec: s.codec_name ?? 'unknown',
      packets: Number(s.nb_read_packets ?? 0) || 0,
    })),
  };
}

/**
 * Turns what the capture's ffmpeg wrote into the recording: the capture
 * itself when ffmpeg finished it and every stream has media, otherwise a
 * remux (`-c copy`) of the streams that have packets, which also gives a cut
 * capture its cues and duration. The file appears at `file` only complete
 * (renamed into place); on failure nothing is left, capture included.
 */
export async function finishFile(options: {
  capture: string;
  file: string;
  container: Container;
  exit: CaptureExit;
  /** Whether any media was sent to ffmpeg (undefined: unknown), for the error of an empty recording. */
  received: boolean | undefined;
  ffmpegPath: string;
  ffprobePath: string;
}): Promise<FinishedFile> {
  const { capture, file, container, exit } = options;
  const partial = join(dirname(file), `.${basename(file)}.partial`);
  try {
    const captured = await probeFile(options.ffprobePath, capture).catch((error: Error) => error);
    const kept = captured instanceof Error ? [] : captured.streams.filter((s) => s.packets > 0);
    if (captured instanceof Error || kept.length === 0) {
      const why = (
        exit.error?.message ||
        exit.stderr ||
        (captured instanceof Error ? captured.message : '')
      ).slice(-300);
      return {
        status: 'failed',
        error:
          options.received === false
            ? 'no media was received'
            : `ffmpeg recorded nothing${why ? `: ${why}` : ''}`,
        probe: captured instanceof Error ? undefined : captured,
      };
    }
    const finishedByFfmpeg = exit.code === 0 && !exit.killed && exit.signal === null;
    const remux = !finishedByFfmpeg || kept.length < captured.streams.length || container === 'mp4';
    if (remux) {
      const maps = kept.flatMap((s) => ['-map', `0:${s.index}`]);
      const mp4 = container === 'mp4' ? ['-movflags', '+faststart'] : [];
      await run(options.ffmpegPath, [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        '-i',
        capture,
        ...maps,
        '-c',
        'copy',
        ...mp4,
        '-f',
        container,
        '-y',
        partial,
      ]);
      await rename(partial, file);
    } else {
      await rename(capture, file);
    }
    // The capture renamed is the file read already; a remux is read again.
    const probe = remux
      ? await probeFile(options.ffprobePath, file).catch((error: Error) => error)
      : captured;
    if (probe instanceof Error || !probe.streams.some((s) => s.packets > 0)) {
      await rm(file, { force: true });
      const why = probe instanceof Error ? probe.message : 'no packets';
      return {
        status: 'failed',
        error: `the finished file is unreadable: ${why}`,
        probe: captured,
      };
    }
    return { status: 'done', probe, remuxed: remux };
  } catch (error) {
    await rm(file, { force: true });
    return {
      status: 'failed',
      error: `remux failed: ${(error as Error).message}`,
      probe: undefined,
    };
  } finally {
    await rm(capture, { force: true });
    await rm(partial, { force: true });
  }
}
