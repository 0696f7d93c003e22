import { randomInt } from 'node:crypto';

/** A random id for a protocol object: a non-zero unsigned 32-bit integer not in `taken`. */
export function randomId(taken?: { has(id: number): boolean }): number {
  for (;;) {
    const id = randomInt(1, 0x1_0000_0000);
    if (!taken?.has(id)) return id;
  }
}
