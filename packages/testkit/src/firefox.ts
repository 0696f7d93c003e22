// Real headless Firefox (Debian's firefox-esr) driven by puppeteer-core over
// WebDriver BiDi, with a fake camera and microphone. Playwright cannot
// download its own Firefox build here; the system one works over BiDi.
//
// Firefox offers no loopback ICE candidates: a peer in Firefox reaches the
// server only on a non-loopback address of the machine (see lanAddress()).
import { networkInterfaces } from 'node:os';
import puppeteer, { type Browser } from 'puppeteer-core';
import { requireBinary } from './media.js';

/** Firefox's path: $FIREFOX_PATH, else Debian's firefox-esr. */
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** Preferences every test run needs: fake media without prompts, autoplay, no calls home. */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // Host candidates as plain addresses, not mDNS names (nothing here resolves them).
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'app.update.enabled': false,
  'app.normandy.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'extensions.update.enabled': false,
};

/** Options of {@link launchFirefox}. */
export interface FirefoxOptions {
  /** More preferences (over FIREFOX_PREFS). */
  prefs?: Record<string, unknown>;
  /** Accept self-signed certificates (a test server's HTTPS). Default false. */
  acceptInsecureCerts?: boolean;
}

/** Launches headless Firefox over WebDriver BiDi; fails naming the Debian package when it is missing. */
export function launchFirefox(options: FirefoxOptions = {}): Promise<Browser> {
  requireBinary(FIREFOX, 'firefox-esr');
  return puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts: options.acceptInsecureCerts ?? false,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...options.prefs },
  });
}

/**
 * The machine's first non-loopback, non-link-local IPv4 address (the one a
 * Firefox peer can reach the server on); fails with a clear message when
 * there is none.
 */
export function lanAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  throw new Error(
    'this machine has no non-loopback IPv4 address: Firefox offers no loopback ICE candidates, so its tests need one',
  );
}
