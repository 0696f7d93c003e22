// Headless Chromium on a host of a test network (netns.ts): Debian's
// chromium started through `ip netns exec` by a wrapper script, and driven by
// puppeteer-core over a pipe (DevTools on a TCP port would be inside the
// namespace, out of the test's reach). The same flags as CHROMIUM_ARGS (fake
// camera and microphone).
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import { requireBinary } from './media.js';
import { findSystemBinary, type Host } from './netns.js';
import { ownTempDir, removeStaleTempDirs } from './tempDirs.js';

const DIR_PREFIX = 'x-chromium-';
/** Profiles of this process's browsers that are still open. */
const openDirs = new Set<string>();

/** Options of {@link launchChromiumOn}. */
export interface NetChromiumOptions {
  /**
   * Plain-HTTP origins to treat as secure (`http://ADDR:PORT`): a page
   * served over HTTP from an address other than localhost is not a secure
   * context, so it has no `navigator.mediaDevices`.
   */
  secureOrigins?: string[];
  /**
   * Certificates to accept although no root signs them, as base64 SHA-256
   * of their public key (`Coturn.spki`): `--ignore-certificate-errors-spki-list`.
   * Chromium checks a TURN server's TLS certificate like a web server's, so
   * a test's self-signed coturn needs this (or the much broader
   * `--ignore-certificate-errors`).
   */
  trustedSpki?: string[];
  /** More Chromium flags. */
  args?: string[];
}

/**
 * Launches headless Chromium inside `host`'s namespace (or in the root
 * namespace for a root host), driven by puppeteer-core over a pipe. Close it
 * with `browser.close()`; a network's dispose kills it at the latest.
 *
 * TURN over TLS (`turns:`): Chromium verifies the TURN server's certificate
 * (a self-signed one fails: the TLS connection closes and the candidate
 * error is 701); give its key in `trustedSpki`.
 */
export async function launchChromiumOn(
  host: Host,
  options: NetChromiumOptions = {},
): Promise<Browser> {
  requireBinary(CHROMIUM, 'chromium');
  // A killed run's browsers quit with their pipe; their profiles stay: remove them.
  removeStaleTempDirs(DIR_PREFIX, openDirs);
  const dir = ownTempDir(DIR_PREFIX);
  openDirs.add(dir);
  let executablePath = CHROMIUM;
  if (host.netns) {
    const ip = findSystemBinary('ip', 'iproute2');
    executablePath = join(dir, 'chromium-in-netns');
    writeFileSync(
      executablePath,
      `#!/bin/sh\nexec ${ip} netns exec ${host.netns} ${CHROMIUM} "$@"\n`,
    );
    chmodSync(executablePath, 0o755);
  }
  const args = [...CHROMIUM_ARGS, ...(options.args ?? [])];
  if (options.trustedSpki?.length)
    args.push(`--ignore-certificate-errors-spki-list=${options.trustedSpki.join(',')}`);
  if (options.secureOrigins?.length)
    args.push(`--unsafely-treat-insecure-origin-as-secure=${options.secureOrigins.join(',')}`);
  try {
    const browser = await puppeteer.launch({
      executablePath,
      pipe: true,
      headless: true,
      args,
      userDataDir: join(dir, 'profile'),
    });
    // The profile is Chromium's until its process is gone: remove it then.
    browser.process()?.once('exit', () => removeDir(dir));
    return browser;
  } catch (error) {
    removeDir(dir);
    throw error;
  }
}

function removeDir(dir: string): void {
  openDirs.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // left in the temp dir: harmless
  }
}
