/**
 * What tests, benchmarks and the demo's tests share. Private: never published.
 */
export { AUDIO_LEVEL_URI, type AudioLevelSender, audioLevelSender } from './audioLevelSender.js';
export { CHROMIUM, CHROMIUM_ARGS, launchChromium } from './browser.js';
export { next, sleep } from './events.js';
export {
  FIREFOX,
  FIREFOX_PREFS,
  type FirefoxOptions,
  lanAddress,
  launchFirefox,
} from './firefox.js';
export { ffmpegSender, probe, type RtpSink, requireBinary, rtpSink } from './media.js';
export { ProtocolClient, type ProtocolClientOptions } from './ProtocolClient.js';
export { freePort, killed, type RedisProcess, startRedis } from './redis.js';
export { audioLevelParameters, audioParameters, videoParameters } from './rtpParameters.js';
