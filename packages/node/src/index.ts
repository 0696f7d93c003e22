/**
 * @x/node: the x SFU client in Node, for bots and agents. @x/client's Room,
 * Transport, Producer, Consumer and Peer on libwebrtc (@roamhq/wrtc), with
 * sources that publish raw audio (PCM) and video (I420) the program makes,
 * and streams of a consumer's decoded frames.
 *
 * @packageDocumentation
 * @module @x/node
 */

export {
  AudioSource,
  type AudioSourceOptions,
  type ToneOptions,
  ToneSource,
} from './AudioSource.js';
export { type AudioFrame, audioFrames, type FrameStreamOptions, videoFrames } from './frames.js';
export { createRoom, type JoinedRoom, type JoinRoomOptions, joinRoom } from './joinRoom.js';
export {
  type I420Frame,
  type TestPatternOptions,
  TestPatternSource,
  VideoSource,
} from './VideoSource.js';
export { installWebRtcGlobals, loadWebRtc, type WebRtc } from './webrtc.js';
