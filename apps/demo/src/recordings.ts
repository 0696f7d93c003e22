import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Recorder, type RecordingResult, type Room } from '@x/server';

/** A recording as the page lists it. */
export interface RecordingInfo {
  id: string;
  room: string;
  peer: string;
  file: string;
  url: string;
  state: 'recording' | 'done' | 'failed';
  startedAt: number;
  durationMs?: number;
  size?: number;
}

/**
 * The demo's recordings: a Recorder (ffmpeg fed by RtpStreamers) per
 * recording, files in one folder, served under /recordings/.
 */
export class Recordings {
  readonly #dir: string;
  readonly #active = new Map<string, { recorder: Recorder; info: RecordingInfo }>();
  readonly #done: RecordingInfo[] = [];
  #next = 1;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get dir(): string {
    return this.#dir;
  }

  /** Starts recording every producer (audio and video) of a peer. */
  async start(room: Room, peerName: string): Promise<RecordingInfo> {
    const peer = room.getPeerByName(peerName);
    if (!peer) throw new Error(`no peer "${peerName}" in room ${room.id}`);
    const producers = ['audio', 'video'].flatMap((kind) =>
      peer.producers.filter((p) => p.kind === kind).slice(0, 1),
    );
    if (producers.length === 0) throw new Error(`peer "${peerName}" sends nothing to record`);
    await mkdir(this.#dir, { recursive: true });
    const id = `${Date.now().toString(36)}-${this.#next++}`;
    const safe = (s: string) => s.replace(/[^\w.-]+/g, '_').slice(0, 40);
    const file = `${safe(room.id)}-${safe(peerName)}-${id}.webm`;
    const recorder = await Recorder.start({ room, producers, file: join(this.#dir, file) });
    const info: RecordingInfo = {
      id,
      room: room.id,
      peer: peerName,
      file,
      url: `/recordings/${file}`,
      state: 'recording',
      startedAt: Date.now(),
    };
    this.#active.set(id, { recorder, info });
    recorder.once('close', (result) => this.finish(id, result));
    return info;
  }

  /** Stops a recording; resolves once the file is complete. */
  async stop(id: string): Promise<RecordingInfo> {
    const entry = this.#active.get(id);
    if (!entry) {
      const done = this.#done.find((r) => r.id === id);
      if (done) return done;
      throw new Error(`no recording ${id}`);
    }
    const result = await entry.recorder.stop();
    return this.finish(id, result);
  }

  /** Recordings running in a room. */
  running(roomId: string): number {
    let n = 0;
    for (const { info } of this.#active.values()) if (info.room === roomId) n++;
    return n;
  }

  /** A recording by id, running or done. */
  get(id: string): RecordingInfo | undefined {
    return this.#active.get(id)?.info ?? this.#done.find((r) => r.id === id);
  }

  /** A recording by file name. */
  byFile(file: string): RecordingInfo | undefined {
    for (const { info } of this.#active.values()) if (info.file === file) return info;
    return this.#done.find((r) => r.file === file);
  }

  /** Every recording, the running ones first. */
  async list(): Promise<RecordingInfo[]> {
    const running = [...this.#active.values()].map((e) => e.info);
    return [...running, ...this.#done].sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Finished files found in the folder from earlier runs. */
  async files(): Promise<string[]> {
    try {
      return (await readdir(this.#dir)).filter((f) => f.endsWith('.webm'));
    } catch {
      return [];
    }
  }

  /** Stops every running recording (at shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  private finish(id: string, result: RecordingResult): RecordingInfo {
    const entry = this.#active.get(id);
    if (!entry) return this.#done.find((r) => r.id === id)!;
    this.#active.delete(id);
    const info: RecordingInfo = {
      ...entry.info,
      state: result.status,
      durationMs: result.durationMs,
    };
    this.#done.push(info);
    if (result.status !== 'done') return info;
    stat(join(this.#dir, info.file))
      .then((s) => {
        info.size = s.size;
      })
      .catch(() => undefined);
    return info;
  }
}
