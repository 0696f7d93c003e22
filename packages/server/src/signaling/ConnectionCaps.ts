/** Why an upgrade is refused: the endpoint is full (503), or the address is (429). */
export type Refusal = { status: 503 | 429; reason: string };

/**
 * Counts open connections, globally and per client address, from the moment
 * the upgrade arrives until the socket closes: joined or not, each one costs
 * a file descriptor and memory, so each one counts.
 */
export class ConnectionCaps {
  readonly #perIp = new Map<string, number>();
  #total = 0;
  readonly #max: number;
  readonly #maxPerIp: number;

  constructor(max: number, maxPerIp: number) {
    this.#max = max;
    this.#maxPerIp = maxPerIp;
  }

  /** Open connections. */
  get total(): number {
    return this.#total;
  }

  /** Open connections from `ip`. */
  of(ip: string): number {
    return this.#perIp.get(ip) ?? 0;
  }

  /** Takes a slot for a connection from `ip`, or says why not; call the returned release once it closes. */
  admit(ip: string): Refusal | (() => void) {
    if (this.#total >= this.#max)
      return { status: 503, reason: `the server has its maximum of ${this.#max} connections` };
    const mine = this.of(ip);
    if (mine >= this.#maxPerIp)
      return {
        status: 429,
        reason: `${ip} has its maximum of ${this.#maxPerIp} open connections`,
      };
    this.#total++;
    this.#perIp.set(ip, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total--;
      const left = this.of(ip) - 1;
      if (left > 0) this.#perIp.set(ip, left);
      else this.#perIp.delete(ip);
    };
  }
}
