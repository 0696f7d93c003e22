/**
 * The closing messages a server sent and that may not have left yet: a
 * process that exits before they do cuts its clients off without telling
 * them where to go (the redirect of a drain travels in the closing frame).
 */
export class Farewells {
  readonly #pending = new Set<Promise<void>>();

  /** A closing message on its way; `sent` resolves once it has left (it never rejects). */
  add(sent: Promise<void>): void {
    this.#pending.add(sent);
    void sent.finally(() => this.#pending.delete(sent));
  }

  /** How many have not left yet. */
  get size(): number {
    return this.#pending.size;
  }

  /** Resolves once every one sent so far has left, or after `timeoutMs`. */
  async sent(timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.#pending),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
