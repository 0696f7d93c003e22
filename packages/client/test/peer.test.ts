// Peer: another participant as this client sees it, against a real
// @x/server reached in memory (FakeHandler clients).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Consumer, Peer, Room } from '../src/index.js';
import {
  audioTrack,
  fakeRoom,
  link,
  next,
  startWorld,
  videoTrack,
  type World,
} from './helpers/world.js';

let world: World;
let alice: Room;
let bob: Room;
let n = 0;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

beforeEach(async () => {
  const id = `peer-${++n}`;
  alice = fakeRoom();
  link(world, alice, id);
  await alice.join('alice', { displayName: 'Alice' });
  bob = fakeRoom();
  link(world, bob, id);
  await bob.join('bob');
});

const aliceOnBob = (): Peer => bob.getPeerByName('alice')!;

describe('Peer', () => {
  it('name and appData from its join; a room emits newpeer for one who joins later', async () => {
    expect(aliceOnBob().name).toBe('alice');
    expect(aliceOnBob().appData).toEqual({ displayName: 'Alice' });
    expect(aliceOnBob().closed).toBe(false);
    expect(aliceOnBob().consumers).toEqual([]);
    const newpeer = next<[Peer]>(alice, 'newpeer');
    const carol = fakeRoom();
    link(world, carol, `peer-${n}`);
    await carol.join('carol', { n: 3 });
    const [peer] = await newpeer;
    expect([peer.name, peer.appData]).toEqual(['carol', { n: 3 }]);
    expect(alice.getPeerByName('carol')).toBe(peer);
  });

  it('newconsumer for each producer it sends; consumers and getConsumerById follow', async () => {
    const transport = alice.createTransport('send');
    const first = next<[Consumer]>(aliceOnBob(), 'newconsumer');
    await alice.createProducer(audioTrack()).send(transport);
    const [audio] = await first;
    const second = next<[Consumer]>(aliceOnBob(), 'newconsumer');
    const video = alice.createProducer(videoTrack());
    await video.send(transport);
    const [cam] = await second;
    expect(aliceOnBob().consumers).toEqual([audio, cam]);
    expect(aliceOnBob().getConsumerById(cam.id)).toBe(cam);
    video.close();
    await next(cam, 'close');
    expect(aliceOnBob().consumers).toEqual([audio]);
    expect(aliceOnBob().getConsumerById(cam.id)).toBeUndefined();
  });

  it('leaving: close(remote, appData), its consumers close (remote), the room forgets it', async () => {
    await alice.createProducer(audioTrack()).send(alice.createTransport('send'));
    await expect.poll(() => aliceOnBob().consumers.length).toBe(1);
    const peer = aliceOnBob();
    const consumer = peer.consumers[0]!;
    const order: string[] = [];
    consumer.on('close', (originator) => order.push(`consumer ${originator}`));
    peer.on('close', (originator) => order.push(`peer ${originator}`));
    const closed = next(peer, 'close');
    alice.leave({ bye: 1 });
    expect(await closed).toEqual(['remote', { bye: 1 }]);
    expect(order).toEqual(['consumer remote', 'peer remote']);
    expect(peer.closed).toBe(true);
    expect(bob.getPeerByName('alice')).toBeUndefined();
  });

  it('its own room leaving: every peer closes (local), with its consumers', async () => {
    await alice.createProducer(audioTrack()).send(alice.createTransport('send'));
    await expect.poll(() => aliceOnBob().consumers.length).toBe(1);
    const peer = aliceOnBob();
    const consumerClosed = next(peer.consumers[0]!, 'close');
    const peerClosed = next(peer, 'close');
    bob.leave();
    expect(await consumerClosed).toEqual(['local']);
    expect(await peerClosed).toEqual(['local', undefined]);
    expect(bob.peers).toEqual([]);
  });
});
