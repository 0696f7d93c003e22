/**
 * Consumers enabled together on one receive transport are negotiated
 * together: mediasoup-client makes one SDP offer/answer for every consume()
 * called in the same tick, and one per consume() otherwise. The enable
 * responses of a join arrive one WebSocket message after the other, so each
 * consumer would cost its own negotiation (tens of ms each in a busy page),
 * the video waiting behind the audio. A consumer reserves a slot before its
 * enable request goes out; once answered it waits until every slot reserved
 * before it is answered too (they come next: the server answers a
 * connection's requests in order), then all of them consume at once. An
 * answer that is slow to come (a producer piped from another node first)
 * holds the others back {@link MAX_WAIT_MS} at most.
 */
export class ConsumeBatch {
  #waiting = 0;
  #ready: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A consumer is about to ask the server to enable it. */
  reserve(): ConsumeSlot {
    this.#waiting++;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.#waiting--;
      return true;
    };
    return {
      ready: () =>
        new Promise<void>((resolve) => {
          settle();
          this.#ready.push(resolve);
          if (this.#waiting === 0) this.#flush();
          else this.#timer ??= setTimeout(() => this.#flush(), MAX_WAIT_MS);
        }),
      cancel: () => {
        if (settle() && this.#waiting === 0) this.#flush();
      },
    };
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ready = this.#ready;
    this.#ready = [];
    for (const resolve of ready) resolve();
  }
}

/** How long answered consumers wait for the others of their batch. */
export const MAX_WAIT_MS = 50;

/** A consumer's place in a {@link ConsumeBatch}. */
export interface ConsumeSlot {
  /** Its enable request was answered: resolves when the batch consumes. */
  ready(): Promise<void>;
  /** It will not consume (failed or closed): the others need not wait for it. */
  cancel(): void;
}
