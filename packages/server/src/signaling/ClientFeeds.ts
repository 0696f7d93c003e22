import type { pb } from '@x/protocol';
import type { AudioLevel } from '../media/AudioLevels.js';
import type { Room } from '../media/Room.js';

/** Audio levels go to a client at most this often, whatever it asks. */
export const MIN_AUDIO_LEVELS_INTERVAL_MS = 500;

/**
 * What one client subscribed to beyond its own objects: the room's active
 * speaker and audio levels (frequent, so only to those who asked). The room
 * runs its detector and level observer while any client, or the app, watches.
 */
export class ClientFeeds {
  readonly #room: Room;
  readonly #send: (body: pb.ServerNotification.$Properties) => void;
  #speaker: (() => void) | undefined;
  #levels: { intervalMs: number; last: number; silent: boolean; release: () => void } | undefined;

  constructor(room: Room, send: (body: pb.ServerNotification.$Properties) => void) {
    this.#room = room;
    this.#send = send;
  }

  /** Subscribes to the active speaker (or ends it); the current one is sent at once. */
  activeSpeaker(on: boolean): void {
    if (!on) {
      this.#speaker?.();
      this.#speaker = undefined;
      return;
    }
    this.#speaker ??= this.#room.watchActiveSpeaker();
    const current = this.#room.activeSpeaker;
    if (current) this.speakerChanged(current.member.name, current.producer.id);
  }

  /** Subscribes to the audio levels every `intervalMs` (at least 500), or ends it. */
  audioLevels(intervalMs: number | undefined): void {
    if (intervalMs === undefined) {
      this.#levels?.release();
      this.#levels = undefined;
      return;
    }
    const interval = Math.max(
      MIN_AUDIO_LEVELS_INTERVAL_MS,
      intervalMs || MIN_AUDIO_LEVELS_INTERVAL_MS,
    );
    const release = this.#levels?.release ?? this.#room.watchAudioLevels();
    this.#levels = { intervalMs: interval, last: 0, silent: false, release };
  }

  /** The room's dominant speaker changed: told if subscribed. */
  speakerChanged(peerName: string, producerId: number): void {
    if (this.#speaker) this.#send({ activeSpeaker: { peerName, producerId } });
  }

  /** New levels from the room: told at the client's pace, and silence once. */
  levels(levels: AudioLevel[]): void {
    const subscription = this.#levels;
    if (!subscription) return;
    const now = Date.now();
    if (levels.length === 0) {
      if (subscription.silent) return;
      subscription.silent = true;
    } else {
      if (now - subscription.last < subscription.intervalMs - 50) return;
      subscription.silent = false;
      subscription.last = now;
    }
    this.#send({
      audioLevels: {
        levels: levels.map((l) => ({
          peerName: l.producer.peer.name,
          producerId: l.producer.id,
          level: Math.round(l.audioLevel),
        })),
      },
    });
  }

  /** The client's peer left: its subscriptions end. */
  close(): void {
    this.activeSpeaker(false);
    this.audioLevels(undefined);
  }
}
