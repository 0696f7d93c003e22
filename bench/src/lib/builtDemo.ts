// Where the built demo is (apps/demo/dist): the cluster-join benchmark runs
// its page and server on every node.
import { fileURLToPath } from 'node:url';

export const demoJs = fileURLToPath(
  new URL('../../../apps/demo/dist/server/demo.js', import.meta.url),
);
export const demoWebDir = fileURLToPath(new URL('../../../apps/demo/dist/web/', import.meta.url));
