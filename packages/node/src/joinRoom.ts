import { type AppData, connect, Room, type RoomConnection, type RoomOptions } from '@x/client';
import WebSocket from 'ws';
import { installWebRtcGlobals } from './webrtc.js';

/** Options of {@link joinRoom}. */
export interface JoinRoomOptions {
  /** The server's signaling URL, with the room (e.g. `wss://sfu.example.com/ws?room=demo`). */
  url: string;
  /** The bot's peer name in the room. */
  peerName: string;
  /** Its access token, when the server requires one. */
  token?: string;
  /** The app's data about the bot, given to the other peers. */
  appData?: AppData;
  /** Room options (reconnection is the connection's: see `connect()` of @x/client). */
  room?: RoomOptions;
}

/** A bot in a room: its {@link Room} (the same API as in a browser) and its connection. */
export interface JoinedRoom {
  /** The room, joined. */
  room: Room;
  /** Its connection to the server (reconnects by itself; `close()` to end it). */
  connection: RoomConnection;
}

/**
 * A room for a program in Node: @x/client's `Room` on libwebrtc (the
 * Chrome handler of mediasoup-client). Everything else is the browser API.
 */
export function createRoom(options: RoomOptions = {}): Room {
  installWebRtcGlobals();
  return new Room({ handlerName: 'Chrome111', ...options });
}

/**
 * Connects a Node room to a server over WebSocket (the `ws` package) and
 * joins it; the connection reconnects and resumes as in a browser.
 *
 * @example
 * ```ts
 * const { room } = await joinRoom({ url: 'ws://localhost:3000/ws?room=demo', peerName: 'bot' });
 * const tone = new ToneSource({ frequency: 440 });
 * await room.createProducer(tone.track).send(room.createTransport('send'));
 * ```
 */
export async function joinRoom(options: JoinRoomOptions): Promise<JoinedRoom> {
  const room = createRoom(options.room);
  const connection = await connect(room, options.url, { WebSocket: WebSocket as never });
  try {
    await room.join(options.peerName, options.appData, { token: options.token });
  } catch (error) {
    connection.close();
    throw error;
  }
  return { room, connection };
}
