// A real @x/server in-process for the client tests, and clients on
// mediasoup-client's FakeHandler (no browser: signaling and state machines
// run, no media flows). `link()` carries a Room's messages to the server's
// SignalingServer in memory, encoded and decoded as on the wire; the
// integration test uses the real WebSocket connector instead.
import {
  type ClientNotification,
  type ClientRequest,
  decodeServerMessage,
  encodeClientMessage,
  type ServerNotification,
  type ServerResponse,
} from '@x/protocol';
import {
  roomFromUrl,
  Server,
  type Room as ServerRoom,
  SignalingServer,
  WebSocketEndpoint,
} from '@x/server';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { FakeHandler, testFakeParameters } from 'mediasoup-client';
import { Room, type RoomOptions } from '../../src/index.js';

export interface World {
  server: Server;
  signaling: SignalingServer;
  endpoint: WebSocketEndpoint;
  room(id: string): Promise<ServerRoom>;
  url(id: string): string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const server = await Server.create({
    numWorkers: 1,
    logLevel: 'warn',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 46000,
    rtcMaxPort: 46999,
    // Joins and resumes carry TURN credentials, as a deployment's do.
    turn: { urls: ['turn:127.0.0.1:3478'], secret: 'client-tests-turn-secret' },
  });
  const selectRoom = roomFromUrl(server, { closeWhenEmpty: false });
  const signaling = new SignalingServer({ server, selectRoom, sessionGraceMs: 3000, auth: 'none' });
  const endpoint = await WebSocketEndpoint.listen({
    server,
    auth: 'none',
    selectRoom,
    host: '127.0.0.1',
    sessionGraceMs: 3000,
  });
  return {
    server,
    signaling,
    endpoint,
    room: async (id) => server.getRoom(id) ?? server.createRoom({ id }),
    url: (id) => `ws://127.0.0.1:${endpoint.port}/?roomId=${id}`,
    async close() {
      await endpoint.close();
      server.close();
    },
  };
}

/** A Room on the FakeHandler. */
export function fakeRoom(options: RoomOptions = {}): Room {
  return new Room({
    handlerFactory: FakeHandler.createFactory(testFakeParameters),
    requestTimeout: 5000,
    ...options,
  });
}

/** One in-memory connection to the in-process signaling server, through the protobuf encoding. */
export interface ServerLink {
  request(request: ClientRequest, callback: (response: ServerResponse) => void): void;
  notify(notification: ClientNotification): void;
  /** Loses the connection, as a network failure would (the server keeps the session for its grace). */
  drop(): void;
}

/** Opens a {@link ServerLink}; the server's notifications go to `onNotification`, asynchronously as over a socket. */
export function openLink(
  world: World,
  roomId: string,
  onNotification: (notification: ServerNotification) => void = () => undefined,
): ServerLink {
  const pending = new Map<number, (r: ServerResponse) => void>();
  const connection = world.signaling.connect(
    {
      send(frame) {
        const message = decodeServerMessage(frame);
        if (message.response) {
          pending.get(message.response.id)?.(message.response);
          pending.delete(message.response.id);
        } else if (message.notification) {
          const notification = message.notification;
          queueMicrotask(() => onNotification(notification));
        }
      },
      close() {},
    },
    { url: new URL(`ws://x/?roomId=${roomId}`) },
  );
  return {
    request(request, callback) {
      pending.set(request.id, callback);
      connection.receive(encodeClientMessage({ request }));
    },
    notify(notification) {
      connection.receive(encodeClientMessage({ notification }));
    },
    drop: () => connection.drop(),
  };
}

/** Links a room to the in-process signaling server through its v2 entry points (request, notify, receiveNotification). */
export function link(world: World, room: Room, roomId: string): ServerLink {
  const serverLink = openLink(world, roomId, (notification) =>
    room.receiveNotification(notification),
  );
  room.on('request', (request, callback) => serverLink.request(request, callback));
  room.on('notify', (notification) => serverLink.notify(notification));
  return serverLink;
}

export const audioTrack = (enabled = true) =>
  new FakeMediaStreamTrack({ kind: 'audio', enabled }) as unknown as MediaStreamTrack;
export const videoTrack = (enabled = true) =>
  new FakeMediaStreamTrack({ kind: 'video', enabled }) as unknown as MediaStreamTrack;

export const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

export { next } from '@x/testkit';
