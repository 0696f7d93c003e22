/** A random non-zero unsigned 32-bit id (mediasoup v2 ids were random integers too). */
export function randomId(): number {
  const buffer = new Uint32Array(1);
  do {
    globalThis.crypto.getRandomValues(buffer);
  } while (buffer[0] === 0);
  return buffer[0]!;
}
