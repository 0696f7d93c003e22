// The recordings list and the record button.

interface RecordingInfo {
  id: string;
  peer: string;
  url: string;
  file: string;
  state: 'recording' | 'done' | 'failed';
  durationMs?: number;
}

export class RecordingsView {
  #active: string | undefined;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #onClick = () => {
    this.toggle().catch((error: unknown) => {
      this.list.dataset.error = (error as Error).message;
      console.error(error);
    });
  };

  constructor(
    private readonly list: HTMLUListElement,
    private readonly button: HTMLButtonElement,
    private readonly select: HTMLSelectElement,
    private readonly token: string,
  ) {
    button.textContent = 'Record';
    button.classList.remove('active');
    button.addEventListener('click', this.#onClick);
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), 3000);
  }

  /** Stops listing and unbinds the button (the call ended). */
  dispose(): void {
    clearInterval(this.#timer);
    this.button.removeEventListener('click', this.#onClick);
  }

  /** The peers one can record (this client and the others). */
  setPeers(names: string[]): void {
    const current = this.select.value;
    this.select.replaceChildren(...names.map((n) => new Option(`record ${n}`, n)));
    if (names.includes(current)) this.select.value = current;
  }

  async toggle(): Promise<void> {
    if (this.#active) {
      const id = this.#active;
      this.#active = undefined;
      this.button.textContent = 'Record';
      this.button.classList.remove('active');
      await fetch(`/api/recordings/${id}/stop`, { method: 'POST', headers: this.auth() });
    } else {
      const res = await fetch('/api/recordings', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.auth() },
        body: JSON.stringify({ peer: this.select.value }),
      });
      const body = (await res.json()) as RecordingInfo & { error?: string };
      if (!res.ok) throw new Error(body.error ?? 'recording failed');
      this.#active = body.id;
      this.button.textContent = 'Stop recording';
      this.button.classList.add('active');
    }
    await this.refresh();
  }

  /** Only a peer of the room may see and control its recordings: its token says who it is. */
  private auth(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async refresh(): Promise<void> {
    const res = await fetch('/api/recordings', { headers: this.auth() }).catch(() => undefined);
    if (!res?.ok) return;
    const recordings = (await res.json()) as RecordingInfo[];
    this.list.replaceChildren(
      ...recordings.map((r) => {
        const item = document.createElement('li');
        item.dataset.state = r.state;
        const seconds = r.durationMs ? ` · ${(r.durationMs / 1000).toFixed(1)} s` : '';
        item.textContent = `${r.peer} — ${r.state}${seconds} `;
        if (r.state === 'done') {
          const url = `${r.url}?token=${encodeURIComponent(this.token)}`;
          const link = document.createElement('a');
          link.href = url;
          link.textContent = r.file;
          const video = document.createElement('video');
          video.controls = true;
          video.preload = 'metadata';
          video.src = url;
          item.append(link, video);
        }
        return item;
      }),
    );
  }
}
