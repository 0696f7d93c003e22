// The demo's entry: `pnpm demo` builds and runs this. Every setting has an
// embedded default; PORT and HOST override the HTTP address, TOKEN_SECRET
// the secret of the access tokens.
import { startDemo } from './demo.js';

const demo = await startDemo({
  port: process.env.PORT ? Number(process.env.PORT) : 3000,
  host: process.env.HOST,
  // Without one, a random dev secret for this run signs the access tokens.
  tokenSecret: process.env.TOKEN_SECRET,
});

console.log(`
  x SFU demo is running.

  Open ${demo.url} in two browser tabs (or share it on your network
  with the host's address), allow the camera and microphone, and join.
  Recordings are written to ${demo.recordings.dir}.
`);

// Started by a parent process with an IPC channel (the hostile tests): answer what it asks.
process.on('message', (message) => {
  if (message === 'inspect') process.send?.({ inspect: demo.inspect() });
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n  ${signal}: closing rooms, recordings and workers…`);
    demo
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
  });
}
