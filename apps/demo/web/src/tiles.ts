// The video tiles: one for this client, one per remote peer.

export interface Tile {
  root: HTMLElement;
  video: HTMLVideoElement;
  audio: HTMLAudioElement;
  setState(kind: 'audio' | 'video', paused: boolean): void;
  setStats(text: string): void;
  remove(): void;
}

export function createTile(container: HTMLElement, name: string, local: boolean): Tile {
  const root = document.createElement('div');
  root.className = local ? 'tile local' : 'tile';
  root.dataset.peer = name;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  const label = document.createElement('div');
  label.className = 'label';
  label.textContent = local ? `${name} (you)` : name;
  const state = document.createElement('div');
  state.className = 'state';
  const stats = document.createElement('div');
  stats.className = 'stats';
  stats.hidden = true;
  root.append(video, audio, label, state, stats);
  container.append(root);

  const badges = new Map<string, HTMLElement>();
  return {
    root,
    video,
    audio,
    setState(kind, paused) {
      root.dataset[`${kind}Paused`] = String(paused);
      const existing = badges.get(kind);
      if (paused && !existing) {
        const badge = document.createElement('span');
        badge.textContent = kind === 'audio' ? 'mic off' : 'video paused';
        state.append(badge);
        badges.set(kind, badge);
      } else if (!paused && existing) {
        existing.remove();
        badges.delete(kind);
      }
    },
    setStats(text) {
      stats.hidden = text === '';
      stats.textContent = text;
    },
    remove() {
      root.remove();
    },
  };
}

/** Puts a track into the tile's video or audio element. */
export function attach(tile: Tile, track: MediaStreamTrack): void {
  const element = track.kind === 'video' ? tile.video : tile.audio;
  element.srcObject = new MediaStream([track]);
  element.play().catch(() => undefined);
}
