/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with the arguments of the next `event` of `emitter`; rejects after `timeoutMs`. */
export function next<A extends unknown[] = unknown[]>(
  emitter: object,
  event: string,
  timeoutMs = 5000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${event} event within ${timeoutMs} ms`)),
      timeoutMs,
    );
    (emitter as { once(event: string, fn: (...args: A) => void): void }).once(
      event,
      (...args: A) => {
        clearTimeout(timer);
        resolve(args);
      },
    );
  });
}
