// Real headless Chromium (Debian's package, driven by playwright-core) with a
// fake camera and microphone. Playwright's own browser download does not
// work on these machines; the system Chromium does.
import { type Browser, chromium } from 'playwright-core';
import { requireBinary } from './media.js';

/** Chromium's path: $CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags every test run needs: no sandbox as root, fake media, no calls home (the network is closed). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches headless Chromium; fails naming the Debian package when it is missing. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  requireBinary(CHROMIUM, 'chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
