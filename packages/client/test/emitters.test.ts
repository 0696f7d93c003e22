// Every client class that emits events is Node's EventEmitter (the seed pages
// say "inherits from EventEmitter"), and what the API calls read-only is
// read-only at run time, not only in TypeScript. Real server, real WebSocket
// connector, FakeHandler clients.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Consumer,
  connect,
  type Peer,
  type Producer,
  type Room,
  type RoomConnection,
  type Transport,
} from '../src/index.js';
import { audioTrack, fakeRoom, startWorld, type World } from './helpers/world.js';

let world: World;
let room: Room;
let connection: RoomConnection;
let transport: Transport;
let producer: Producer;
let peer: Peer;
let consumer: Consumer;
let bob: Room;

beforeAll(async () => {
  world = await startWorld();
  room = fakeRoom();
  connection = await connect(room, world.url('emitters'), { WebSocket: WebSocket as never });
  await room.join('alice');
  transport = room.createTransport('send');
  producer = room.createProducer(audioTrack());
  await producer.send(transport);
  bob = fakeRoom();
  await connect(bob, world.url('emitters'), { WebSocket: WebSocket as never });
  [peer] = (await bob.join('bob')) as [Peer];
  consumer = peer.consumers[0]!;
  await consumer.receive(bob.createTransport('recv'));
});
afterAll(async () => {
  room.leave();
  bob.leave();
  await world.close();
});

const classes = () =>
  ({
    Room: room,
    RoomConnection: connection,
    Transport: transport,
    Producer: producer,
    Peer: peer,
    Consumer: consumer,
  }) as const;

const READ_ONLY: Record<keyof ReturnType<typeof classes>, string[]> = {
  Room: [
    'joined',
    'closed',
    'peerName',
    'transports',
    'producers',
    'peers',
    'device',
    'sessionId',
    'sessionGraceMs',
  ],
  RoomConnection: ['url', 'room', 'state'],
  Transport: ['id', 'direction', 'appData', 'closed', 'connectionState', 'engine'],
  Producer: [
    'id',
    'simulcast',
    'closed',
    'kind',
    'track',
    'originalTrack',
    'transport',
    'rtpParameters',
    'locallyPaused',
    'remotelyPaused',
    'paused',
    'engine',
  ],
  Peer: ['name', 'appData', 'closed', 'consumers'],
  Consumer: [
    'id',
    'kind',
    'peer',
    'appData',
    'supported',
    'simulcast',
    'closed',
    'rtpParameters',
    'transport',
    'track',
    'locallyPaused',
    'remotelyPaused',
    'paused',
    'preferredProfile',
    'effectiveProfile',
    'engine',
  ],
};

describe.each(Object.keys(READ_ONLY) as (keyof typeof READ_ONLY)[])('%s', (name) => {
  it('is an EventEmitter of node:events (setMaxListeners, prependListener, rawListeners)', () => {
    const object = classes()[name] as unknown as EventEmitter;
    expect(object).toBeInstanceOf(EventEmitter);
    object.setMaxListeners(30);
    expect(object.getMaxListeners()).toBe(30);
    const calls: string[] = [];
    const last = () => calls.push('last');
    object.on('x-test', last);
    object.prependListener('x-test', () => calls.push('first'));
    expect(object.rawListeners('x-test')).toHaveLength(2);
    object.emit('x-test');
    expect(calls).toEqual(['first', 'last']);
    object.removeAllListeners('x-test');
    expect(object.listenerCount('x-test')).toBe(0);
  });

  it('its read-only properties cannot be assigned at run time', () => {
    const object = classes()[name] as unknown as Record<string, unknown>;
    for (const property of READ_ONLY[name]) {
      const before = object[property];
      expect(() => {
        object[property] = 'changed';
      }, property).toThrow(TypeError);
      expect(object[property], property).toEqual(before);
    }
  });
});
