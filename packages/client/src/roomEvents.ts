import type { AppData, ClientNotification, ClientRequest, ServerResponse } from '@x/protocol';
import type { RequestError, TransportFailedError } from './room/errors.js';
import type { Originator } from './room/Originator.js';
import type { Peer } from './room/Peer.js';
import type { Producer } from './room/Producer.js';
import type { CloseReason } from './room/roomOptions.js';
import type { AudioLevelData, RecordingState } from './room/Signal.js';
import type { Transport } from './room/Transport.js';

/** Events of a {@link Room}. */
export type RoomEvents = {
  /**
   * A request for the server: send it and call `callback` with its Response
   * (or `errback` if it could not be carried). The WebSocket connector does this.
   */
  request: [
    request: ClientRequest,
    callback: (response: ServerResponse) => void,
    errback: (error: Error) => void,
  ];
  /** A notification for the server: send it. */
  notify: [notification: ClientNotification];
  /** A peer joined. */
  newpeer: [peer: Peer];
  /** The room was left ('local') or the server closed this peer ('remote', with the reason). */
  close: [originator: Originator, appData: AppData | undefined, reason: CloseReason | undefined];
  /** The server refused a notification of this client. */
  notificationerror: [error: RequestError, notification: string, id: number];
  /** The room's metadata changed (the app's backend: the admin API's UpdateRoomMetadata). */
  roomappdatachange: [appData: AppData | undefined];
  /**
   * A peer's metadata changed (the admin API's UpdatePeerMetadata): its name,
   * its Peer (undefined when it is this client), its appData now.
   */
  peerappdatachange: [peerName: string, peer: Peer | undefined, appData: AppData | undefined];
  /** A recording of the room started or ended (and, at join, one that runs): show it to the user. */
  recording: [state: RecordingState];
  /**
   * The room's dominant speaker changed (after `enableActiveSpeaker()`): its
   * name, its Peer (undefined when it is this client), and its producer id.
   */
  activespeaker: [peerName: string, peer: Peer | undefined, producerId: number];
  /** The room's audio levels, loudest first, [] in silence (after `enableAudioLevels()`). */
  audiolevels: [levels: AudioLevelData[]];
  /**
   * A transport could not connect (the browser said it failed, or it did not
   * connect within `transportConnectTimeout`): no media flows on it. Show it
   * to the user; a later `connectionstatechange` of the transport says if it recovers.
   */
  transportfailed: [transport: Transport, error: TransportFailedError];
  /**
   * A message from the server app (`room.sendData()` on the server), with
   * the label it gave: a string, or bytes.
   */
  serverdata: [data: string | Uint8Array, label: string];
  /** The quality of one of this client's producers, as the server receives it (0 to 10 per encoding). */
  producerscore: [producer: Producer, scores: number[]];
};
