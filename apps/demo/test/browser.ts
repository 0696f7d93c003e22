// Real headless Chromium (Debian's package, driven by playwright-core) with a
// fake camera and microphone. Playwright's own browser download does not
// work on these machines; the system Chromium does.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function requireBinary(binary: string, debianPackage: string): void {
  const found = binary.startsWith('/')
    ? existsSync(binary)
    : (() => {
        try {
          execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      })();
  if (!found)
    throw new Error(
      `${binary} is not installed: install the Debian package ${debianPackage} (pnpm system-deps does)`,
    );
}

export async function launchChromium(): Promise<Browser> {
  requireBinary(CHROMIUM, 'chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
