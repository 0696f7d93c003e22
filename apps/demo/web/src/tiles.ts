// The video tiles: one per camera (this client's and each remote peer's) and
// one per shared screen, with the name, mic/camera state, speaking ring,
// audio level and network quality.

export type Quality = 'good' | 'fair' | 'poor' | 'bad' | 'unknown';

export interface Tile {
  root: HTMLElement;
  video: HTMLVideoElement;
  audio: HTMLAudioElement;
  setState(kind: 'audio' | 'video', paused: boolean): void;
  setStats(text: string): void;
  setSpeaking(on: boolean): void;
  /** Audio level in dBov (-127 silence … 0 loudest). */
  setLevel(dBov: number): void;
  /**
   * Network quality from the server's scores (0–10): the consumer's (server →
   * this browser) and the producer's (sender → server); what one sees is as
   * good as the worse of both. Video scores win over audio ones.
   */
  setQuality(score: number, producerScore: number | undefined, kind: 'audio' | 'video'): void;
  /** Network quality as this browser measures it (0–10), undefined when it cannot. */
  setMeasuredQuality(score: number | undefined): void;
  setSink(deviceId: string): Promise<void>;
  remove(): void;
}

/** The quality a score (0–10) stands for. */
export function qualityOf(score: number): Quality {
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : score > 0 ? 'poor' : 'bad';
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  parent: HTMLElement,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  parent.append(el);
  return el;
}

export function createTile(
  container: HTMLElement,
  name: string,
  { local, screen = false }: { local: boolean; screen?: boolean },
): Tile {
  const root = document.createElement('div');
  root.className = `tile${local ? ' local' : ''}${screen ? ' screen' : ''}`;
  // Camera tiles carry data-peer (the tests and the speaker ring find them by
  // it); screen tiles carry data-screen.
  if (screen) root.dataset.screen = name;
  else root.dataset.peer = name;
  const video = element('video', '', root);
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  const audio = element('audio', '', root);
  audio.autoplay = true;
  const label = element('div', 'label', root);
  const level = element('span', 'level', label);
  level.setAttribute('aria-hidden', 'true');
  const nameText = element('span', 'name', label);
  nameText.textContent = `${name}${local ? ' (you)' : ''}${screen ? ' · screen' : ''}`;
  const state = element('div', 'state', root);
  const quality = element('div', 'quality', root);
  quality.dataset.quality = 'unknown';
  quality.title = 'network quality: not known yet';
  for (let i = 0; i < 3; i++) element('i', '', quality);
  if (screen) quality.hidden = true;
  const stats = element('div', 'stats', root);
  stats.hidden = true;
  container.append(root);

  const badges = new Map<string, HTMLElement>();
  let videoScored = false;
  // The server's score (the worse of both legs) and this browser's measure;
  // the tile shows the worse of those known.
  let server: { worst: number; text: string } | undefined;
  let measured: number | undefined;
  const showQuality = () => {
    const known = [server?.worst, measured].filter((q): q is number => q !== undefined);
    if (known.length === 0) return;
    const worst = Math.min(...known);
    quality.dataset.quality = qualityOf(worst);
    quality.dataset.score = String(worst);
    const parts = [server?.text, measured === undefined ? '' : `measured here ${measured}/10`];
    quality.title = `network quality ${worst}/10: ${parts.filter(Boolean).join('; ')}`;
  };
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
    setSpeaking(on) {
      root.classList.toggle('speaking', on);
      root.dataset.speaking = String(on);
    },
    setLevel(dBov) {
      // The server reports levels above its threshold (about -80 dBov) only;
      // -90 dBov shows as silence, -20 dBov (a loud voice) fills the meter.
      const fill = Math.max(0, Math.min(1, (dBov + 90) / 70));
      level.style.setProperty('--level', fill.toFixed(2));
    },
    setQuality(score, producerScore, kind) {
      if (kind === 'video') videoScored = true;
      else if (videoScored) return;
      server = {
        worst: Math.min(score, producerScore ?? score),
        text:
          producerScore === undefined
            ? `the server receives ${score}/10`
            : `server to you ${score}/10, sender to server ${producerScore}/10`,
      };
      showQuality();
    },
    setMeasuredQuality(score) {
      measured = score;
      showQuality();
    },
    async setSink(deviceId) {
      const sinkable = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
      if (sinkable.setSinkId) await sinkable.setSinkId(deviceId).catch(() => undefined);
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
