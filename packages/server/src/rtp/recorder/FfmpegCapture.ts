import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { logger } from '@x/shared';
import { rtcpBye, rtcpKeepalive } from './rtcp.js';
import { isBound } from './udpPorts.js';

const log = logger('x:server:Recorder');

/** One m-section of the SDP: the port ffmpeg listens on (RTCP on the next one) and the SSRC. */
export interface CaptureStream {
  port: number;
  ssrc: number;
}

/** How the capture's ffmpeg ended. */
export interface CaptureExit {
  /** Exit code (null when ended by a signal, or when it never started). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It had to be SIGKILLed: its file is cut (no cues, no duration). */
  killed: boolean;
  /** Why it could not start (the binary is missing, say). */
  error?: Error;
  /** The end of its stderr. */
  stderr: string;
}

/**
 * Seconds of total silence on its sockets (no RTP, no RTCP, no keepalive)
 * after which ffmpeg's SDP input ends by itself and the file is finished:
 * what finalizes the recording if the Recorder's process dies.
 */
export const INPUT_TIMEOUT_S = 5;
/** Keepalives while recording: shorter than the input timeout, whatever the source does. */
const KEEPALIVE_MS = 1000;
// The termination sequence, from stop(). The BYEs end ffmpeg's input at once
// (measured: 5-20 ms); they are sent again in case one was lost. One SIGINT
// lets ffmpeg finish the file once its blocked read returns (a second one
// would abort the trailer: measured, 0-byte file). The input timeout ends
// that read INPUT_TIMEOUT_S after the streamers stopped. SIGKILL is the last
// resort; the cut file is then remuxed.
const BYE_AGAIN_MS = 1000;
const SIGINT_MS = 2000;
const SIGKILL_MS = (INPUT_TIMEOUT_S + 3) * 1000;
const LISTEN_DEADLINE_MS = 10_000;

/** What ffmpeg is run with: the SDP input, every stream copied, flushed often. */
export function captureArgs(options: {
  sdpFile: string;
  output: string;
  format: 'webm' | 'matroska';
}): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'file,udp,rtp',
    // A stream that sends nothing holds the start back this long (default 5 s,
    // during which the media read is buffered, some of it lost).
    '-analyzeduration',
    '1000000',
    '-listen_timeout',
    String(INPUT_TIMEOUT_S),
    '-fflags',
    '+genpts',
    '-i',
    options.sdpFile,
    '-map',
    '0',
    '-c',
    'copy',
    // What a SIGKILL can lose: 1 s clusters written at once, and at most 1 s
    // held back waiting for a silent stream (default 10 s).
    '-flush_packets',
    '1',
    '-cluster_time_limit',
    '1000',
    '-max_interleave_delta',
    '1000000',
    '-f',
    options.format,
    '-y',
    options.output,
  ];
}

/**
 * The ffmpeg that receives a recording's RTP (from its SDP) and writes it to
 * a file with `-c copy`, and the way to end it that always finishes the file:
 * an RTCP BYE per stream, then signals. While it runs, keepalives stop its
 * input timeout from ending the recording during a pause.
 */
export class FfmpegCapture {
  /** How it ended (never rejects). */
  readonly exited: Promise<CaptureExit>;

  readonly #process: ChildProcess;
  readonly #socket: Socket;
  readonly #ip: string;
  readonly #streams: CaptureStream[];
  #stderr = '';
  #killed = false;
  #keepalive: NodeJS.Timeout | undefined;
  #stopping: Promise<CaptureExit> | undefined;

  constructor(options: {
    ffmpegPath: string;
    args: string[];
    ip: string;
    streams: CaptureStream[];
  }) {
    this.#ip = options.ip;
    this.#streams = options.streams;
    this.#socket = createSocket(options.ip.includes(':') ? 'udp6' : 'udp4');
    this.#socket.on('error', (error) => log.warn('recorder RTCP socket: %s', error.message));
    this.#socket.unref();
    this.#process = spawn(options.ffmpegPath, options.args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#process.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      this.#process.once('error', (error: NodeJS.ErrnoException) => {
        resolve({
          code: null,
          signal: null,
          killed: false,
          error:
            error.code === 'ENOENT'
              ? new Error('ffmpeg not found: install the Debian package ffmpeg (or set ffmpegPath)')
              : error,
          stderr: this.#stderr,
        });
      });
      this.#process.once('close', (code, signal) => {
        if (code) log.warn('ffmpeg exited with %d: %s', code, this.#stderr.trim());
        resolve({ code, signal, killed: this.#killed, stderr: this.#stderr.trim() });
      });
    });
  }

  /** Whether it runs. */
  get running(): boolean {
    return (
      this.#process.pid !== undefined &&
      this.#process.exitCode === null &&
      this.#process.signalCode === null
    );
  }

  /** Resolves once ffmpeg listens on every RTP port (it opens them as it reads the SDP). */
  async listening(): Promise<void> {
    let exit: CaptureExit | undefined;
    void this.exited.then((e) => {
      exit = e;
    });
    const deadline = Date.now() + LISTEN_DEADLINE_MS;
    for (;;) {
      const bound = await Promise.all(this.#streams.map((s) => isBound(this.#ip, s.port)));
      if (exit) throw exit.error ?? new Error(`ffmpeg exited before recording: ${exit.stderr}`);
      if (bound.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error('ffmpeg did not open its RTP ports within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Starts the keepalives (until {@link stop}). */
  keepAlive(): void {
    this.#keepalive ??= setInterval(() => {
      for (const s of this.#streams) this.send(rtcpKeepalive(s.ssrc), s.port + 1);
    }, KEEPALIVE_MS);
    this.#keepalive.unref();
  }

  /**
   * Ends it so that the file is finished: BYEs, again after 1 s, one SIGINT
   * after 2 s, SIGKILL after 8 s. Resolves with how it ended.
   */
  stop(): Promise<CaptureExit> {
    this.#stopping ??= (async () => {
      clearInterval(this.#keepalive);
      const timers: NodeJS.Timeout[] = [];
      if (this.running) {
        const byes = () => {
          for (const s of this.#streams) this.send(rtcpBye(s.ssrc), s.port);
        };
        byes();
        timers.push(
          setTimeout(byes, BYE_AGAIN_MS),
          setTimeout(() => this.running && this.#process.kill('SIGINT'), SIGINT_MS),
          setTimeout(() => {
            if (!this.running) return;
            log.warn('ffmpeg did not finish the recording within %d ms: SIGKILL', SIGKILL_MS);
            this.#killed = true;
            this.#process.kill('SIGKILL');
          }, SIGKILL_MS),
        );
      }
      const exit = await this.exited;
      for (const timer of timers) clearTimeout(timer);
      this.#socket.close();
      return exit;
    })();
    return this.#stopping;
  }

  private send(packet: Buffer, port: number): void {
    this.#socket.send(packet, port, this.#ip, (error) => {
      if (error) log.debug('RTCP to ffmpeg on port %d: %s', port, error.message);
    });
  }
}
