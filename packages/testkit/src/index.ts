/**
 * What tests, benchmarks and the demo's tests share. Private: never published.
 */
export { AUDIO_LEVEL_URI, type AudioLevelSender, audioLevelSender } from './audioLevelSender.js';
export { CHROMIUM, CHROMIUM_ARGS, launchChromium } from './browser.js';
export { type CapturedDatagram, captureUdp, readPcap, type UdpCapture } from './capture.js';
export {
  type Coturn,
  type CoturnOptions,
  cleanCoturnLeftovers,
  type RTCIceServerInit,
  startCoturn,
  type TurnCredentials,
  turnCredentials,
} from './coturn.js';
export { next, sleep } from './events.js';
export {
  FIREFOX,
  FIREFOX_PREFS,
  type FirefoxOptions,
  lanAddress,
  launchFirefox,
} from './firefox.js';
export { ffmpegSender, probe, type RtpSink, requireBinary, rtpSink } from './media.js';
export {
  cleanLeftovers,
  createNetwork,
  findSystemBinary,
  type Host,
  type HostOptions,
  type Link,
  type LinkEnd,
  Network,
  requireNetworkTools,
  run,
} from './netns.js';
export { launchChromiumOn, type NetChromiumOptions } from './netnsChromium.js';
export { allowOnlyTcp, dropUdp, masquerade, type TcpTarget } from './nftables.js';
export { ProtocolClient, type ProtocolClientOptions } from './ProtocolClient.js';
export {
  freePort,
  killed,
  type RedisOptions,
  type RedisProcess,
  type SentinelOptions,
  type SentinelSet,
  startRedis,
  startSentinels,
} from './redis.js';
export { type RtpPacer, rtpPacer } from './rtpPacer.js';
export { audioLevelParameters, audioParameters, videoParameters } from './rtpParameters.js';
export { type TcpProxy, tcpProxy } from './tcpProxy.js';
export { ownTempDir, processAlive, removeStaleTempDirs, staleTempDirs } from './tempDirs.js';
