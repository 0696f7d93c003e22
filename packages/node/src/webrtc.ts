// libwebrtc for Node (@roamhq/wrtc), loaded once, and the browser globals
// mediasoup-client's handlers use (RTCPeerConnection and its family) set
// from it: in Node, @x/client then runs the same code as in Chromium.
import { createRequire } from 'node:module';
import type * as Wrtc from '@roamhq/wrtc';

/** The @roamhq/wrtc module. */
export type WebRtc = typeof Wrtc;

let loaded: WebRtc | undefined;

/**
 * Loads libwebrtc (@roamhq/wrtc, whose Linux, macOS and Windows binaries
 * come as npm packages of their own). Throws, naming the package, when the
 * binary for this platform is not installed.
 */
export function loadWebRtc(): WebRtc {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  try {
    loaded = require('@roamhq/wrtc') as WebRtc;
  } catch (error) {
    throw new Error(
      `@x/node needs libwebrtc: the package @roamhq/wrtc and its binary for ${process.platform}-${process.arch} (@roamhq/wrtc-${process.platform}-${process.arch}) could not be loaded. Install them (npm install @roamhq/wrtc); optional dependencies must not be omitted.`,
      { cause: error },
    );
  }
  return loaded;
}

/** What mediasoup-client's Chrome handler reaches for on `globalThis`. */
const GLOBALS = [
  'RTCPeerConnection',
  'RTCSessionDescription',
  'RTCIceCandidate',
  'MediaStream',
  'MediaStreamTrack',
  'RTCRtpSender',
  'RTCRtpReceiver',
  'RTCRtpTransceiver',
  'RTCDataChannel',
] as const;

/**
 * Puts libwebrtc's RTCPeerConnection and its family on `globalThis` where
 * they are missing (mediasoup-client's handlers look for them there).
 * Idempotent; returns the module.
 */
export function installWebRtcGlobals(): WebRtc {
  const wrtc = loadWebRtc();
  const target = globalThis as Record<string, unknown>;
  const source = wrtc as unknown as Record<string, unknown>;
  for (const name of GLOBALS) if (target[name] === undefined) target[name] = source[name];
  return wrtc;
}
