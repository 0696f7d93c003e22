import { logger } from '@x/shared';
import type { ActiveSpeakerDetector } from './ActiveSpeakerDetector.js';
import type { AudioLevel } from './AudioLevels.js';
import type { Peer } from './Peer.js';
import type { Producer } from './Producer.js';
import type { RecordingState } from './SignalingPort.js';

const log = logger('x:server:RoomSubscriptions');

/** Audio levels go to a client at most this often, whatever it asks. */
export const MIN_AUDIO_LEVELS_INTERVAL_MS = 500;

/**
 * What the clients of a room are told beyond their own objects: the active
 * speaker and the audio levels (frequent, so only to those who subscribed;
 * the room's detector and level observer run only while someone listens),
 * and whether the room is being recorded (to everyone).
 */
export class RoomSubscriptions {
  readonly #speakers = new Set<Peer>();
  readonly #levels = new Map<Peer, { intervalMs: number; last: number; silent: boolean }>();
  readonly #recordings = new Map<object, string[]>();
  readonly #peers: () => Iterable<Peer>;
  readonly #createDetector: () => Promise<ActiveSpeakerDetector>;
  readonly #levelsWanted: () => void;
  #detector: Promise<ActiveSpeakerDetector> | undefined;
  #speaker: { peer: Peer; producer: Producer } | undefined;

  constructor(options: {
    /** The room's peers (every one is told of recordings). */
    peers: () => Iterable<Peer>;
    /** Creates the room's detector (when the first client subscribes). */
    createDetector: () => Promise<ActiveSpeakerDetector>;
    /** Someone wants audio levels: the room starts (or resumes) its observer. */
    levelsWanted: () => void;
  }) {
    this.#peers = options.peers;
    this.#createDetector = options.createDetector;
    this.#levelsWanted = options.levelsWanted;
  }

  /** Whether the room is being recorded, and whom. */
  get recording(): RecordingState {
    const peerNames = [...new Set([...this.#recordings.values()].flat())];
    return { active: this.#recordings.size > 0, peerNames };
  }

  /** A recording started: every peer is told now, and again when the returned function says it ended. */
  recordingStarted(peerNames: string[]): () => void {
    const key = {};
    this.#recordings.set(key, peerNames);
    this.announceRecording();
    return () => {
      if (this.#recordings.delete(key)) this.announceRecording();
    };
  }

  /** Whether any client wants audio levels (the observer runs while one does). */
  get wantsLevels(): boolean {
    return this.#levels.size > 0;
  }

  /** Subscribes a peer's client to the active speaker (or ends it); the current one is sent at once. */
  activeSpeaker(peer: Peer, on: boolean): void {
    if (!on) {
      this.#speakers.delete(peer);
      if (this.#speakers.size === 0) this.stopDetector();
      return;
    }
    this.#speakers.add(peer);
    if (this.#speaker) peer.channel.activeSpeaker(this.#speaker.peer, this.#speaker.producer);
    this.#detector ??= this.startDetector();
  }

  /** Subscribes a peer's client to the audio levels every `intervalMs` (at least 500), or ends it. */
  audioLevels(peer: Peer, intervalMs: number | undefined): void {
    if (intervalMs === undefined) {
      this.#levels.delete(peer);
      return;
    }
    const interval = Math.max(
      MIN_AUDIO_LEVELS_INTERVAL_MS,
      intervalMs || MIN_AUDIO_LEVELS_INTERVAL_MS,
    );
    this.#levels.set(peer, { intervalMs: interval, last: 0, silent: false });
    this.#levelsWanted();
  }

  /** New levels from the room's observer: to each subscriber, at its pace; silence once. */
  deliverLevels(levels: AudioLevel[]): void {
    const now = Date.now();
    for (const [peer, subscription] of this.#levels) {
      if (levels.length === 0) {
        if (subscription.silent) continue;
        subscription.silent = true;
      } else {
        if (now - subscription.last < subscription.intervalMs - 50) continue;
        subscription.silent = false;
        subscription.last = now;
      }
      peer.channel.audioLevels(levels);
    }
  }

  /** A peer left: its subscriptions go with it. */
  removePeer(peer: Peer): void {
    this.audioLevels(peer, undefined);
    this.activeSpeaker(peer, false);
    if (this.#speaker?.peer === peer) this.#speaker = undefined;
  }

  /** The room closed. */
  close(): void {
    this.#speakers.clear();
    this.#levels.clear();
    this.stopDetector();
  }

  private announceRecording(): void {
    const state = this.recording;
    for (const peer of this.#peers()) peer.channel.recording(state);
  }

  private async startDetector(): Promise<ActiveSpeakerDetector> {
    const detector = await this.#createDetector();
    detector.on('activespeakerchange', (peer, producer) => {
      this.#speaker = { peer, producer };
      for (const subscriber of this.#speakers) subscriber.channel.activeSpeaker(peer, producer);
    });
    // Closed with its router (a worker died): the next subscriber starts another.
    detector.once('close', () => {
      if (this.#detector && this.#speakers.size > 0) {
        this.#detector = this.startDetector();
        this.#detector.catch((error: unknown) =>
          log.warn('active speaker detector failed: %o', error),
        );
      } else {
        this.#detector = undefined;
      }
    });
    if (this.#speakers.size === 0) detector.close();
    return detector;
  }

  private stopDetector(): void {
    const detector = this.#detector;
    this.#detector = undefined;
    this.#speaker = undefined;
    detector?.then((d) => d.close()).catch(() => undefined);
  }
}
