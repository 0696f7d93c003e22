// The room's speaker and level events, and quality (score) events, as a
// client sees them: a server-side speaker sends RTP with its audio level (as
// a browser does) into a real in-process server.
import { pb } from '@x/protocol';
import type { Room as ServerRoom } from '@x/server';
import { type AudioLevelSender, audioLevelParameters, audioLevelSender } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioLevelData, Peer } from '../src/index.js';
import { fakeRoom, link, startWorld, type World } from './helpers/world.js';

let world: World;
let serverRoom: ServerRoom;
let sender: AudioLevelSender;

beforeAll(async () => {
  world = await startWorld();
  serverRoom = await world.room('events');
  const speaker = await serverRoom.join({
    name: 'speaker',
    rtpCapabilities: serverRoom.rtpCapabilities,
  });
  const transport = await speaker.createPlainRtpTransport({
    id: 1,
    direction: 'send',
    comedia: true,
  });
  await speaker.produce({
    id: 1,
    transportId: 1,
    kind: 'audio',
    rtpParameters: audioLevelParameters(5555),
  });
  sender = audioLevelSender({
    ip: '127.0.0.1',
    port: transport.localPort,
    ssrc: 5555,
    payloadType: 100,
    extensionId: 10,
    dBov: -12,
  });
});
afterAll(async () => {
  sender.stop();
  await world.close();
});

describe('room events', () => {
  it('enableActiveSpeaker(): the room and the peer hear who speaks', async () => {
    const room = fakeRoom();
    link(world, room, 'events');
    const [speaker] = (await room.join('me')) as Peer[];
    const heard: string[] = [];
    room.on('activespeaker', (name, peer, producerId) =>
      heard.push(`${name}:${peer === speaker}:${producerId}`),
    );
    let peerHeard = 0;
    speaker!.on('activespeaker', () => peerHeard++);
    room.enableActiveSpeaker();
    await expect.poll(() => heard, { timeout: 8000 }).toContain('speaker:true:1');
    expect(peerHeard).toBeGreaterThan(0);
    room.leave();
  });

  it('enableAudioLevels(): levels for the room and each peer heard; nothing before asking', async () => {
    const room = fakeRoom();
    link(world, room, 'events');
    const [speaker] = (await room.join('listener')) as Peer[];
    const levels: AudioLevelData[][] = [];
    room.on('audiolevels', (l) => levels.push(l));
    const peerLevels: number[] = [];
    speaker!.on('audiolevel', (level) => peerLevels.push(level));
    await new Promise((r) => setTimeout(r, 1200));
    expect(levels).toEqual([]);
    room.enableAudioLevels(500);
    await expect.poll(() => levels.length, { timeout: 5000 }).toBeGreaterThan(1);
    expect(levels[0]![0]).toMatchObject({ peerName: 'speaker', producerId: 1 });
    expect(peerLevels[0]).toBeGreaterThanOrEqual(-15);
    room.disableAudioLevels();
    await new Promise((r) => setTimeout(r, 700));
    const count = levels.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(levels.length).toBe(count);
    room.leave();
  });

  it("scores the server sends reach the consumer's and the room's events", async () => {
    // The server side of scores is covered with real RTP in @x/server's tests;
    // here, what a client does with the notifications it gets.
    const room = fakeRoom();
    link(world, room, 'events');
    const [speaker] = (await room.join('scored')) as Peer[];
    const consumer = speaker!.consumers[0]!;
    const scores: [number, number][] = [];
    consumer.on('score', (score, producerScore) => scores.push([score, producerScore]));
    room.receiveNotification(
      pb.ServerNotification.create({
        consumerScore: { id: consumer.id, peerName: 'speaker', score: 7, producerScore: 10 },
      }),
    );
    expect(scores).toEqual([[7, 10]]);
    room.leave();
  });
});
