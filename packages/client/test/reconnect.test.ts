// A lost connection mid-call: the client reconnects with backoff, resumes its
// peer within the server's grace period (same peer, ICE restarted, producers
// and consumers go on), and joins again from scratch after it.
import { roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Consumer, connect, type Peer, type Room, type RoomConnection } from '../src/index.js';
import { audioTrack, fakeRoom, next, videoTrack } from './helpers/world.js';

let server: Server;
let endpoint: WebSocketEndpoint;
const GRACE = 1000;

beforeAll(async () => {
  server = await Server.create({
    numWorkers: 1,
    logLevel: 'warn',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 46500,
    rtcMaxPort: 46999,
  });
  endpoint = await WebSocketEndpoint.listen({
    server,
    auth: 'none',
    host: '127.0.0.1',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    sessionGraceMs: GRACE,
  });
});
afterAll(async () => {
  await endpoint.close();
  server.close();
});

const url = (room: string) => `ws://127.0.0.1:${endpoint.port}/?roomId=${room}`;

async function joined(
  roomId: string,
  name: string,
  reconnectDelays?: number[],
): Promise<{ room: Room; connection: RoomConnection }> {
  const room = fakeRoom();
  const connection = await connect(room, url(roomId), {
    WebSocket: WebSocket as never,
    reconnectDelays,
  });
  await room.join(name);
  return { room, connection };
}

/** Cuts a peer's socket on the server side, as a network failure would. */
function cut(room: string, name: string): void {
  const session = endpoint.signaling.sessions.find(
    (s) => s.room.id === room && s.peer.name === name,
  );
  if (!session?.connection) throw new Error(`no live connection for ${name}`);
  session.connection.drop();
}

describe('reconnection', () => {
  it('resumes within the grace period: same peer, ICE restarted, producers and consumers go on; what was sent meanwhile arrives', async () => {
    const alice = await joined('resume', 'alice', [300, 300, 300]);
    const bob = await joined('resume', 'bob');
    const send = alice.room.createTransport('send');
    const video = alice.room.createProducer(videoTrack());
    await video.send(send);
    const aliceOnBob =
      bob.room.getPeerByName('alice') ?? (await next<[{ name: string }]>(bob.room, 'newpeer'))[0];
    await expect.poll(() => bob.room.getPeerByName('alice')?.consumers.length).toBe(1);
    const consumer = bob.room.getPeerByName('alice')!.consumers[0] as Consumer;
    await consumer.receive(bob.room.createTransport('recv'));
    expect(aliceOnBob).toBeDefined();

    const serverRoom = server.getRoom('resume')!;
    const serverAlice = serverRoom.getPeerByName('alice')!;
    const serverTransport = serverAlice.getTransportById(send.id)!;
    const iceBefore = (serverTransport.engine as { iceParameters: { usernameFragment: string } })
      .iceParameters.usernameFragment;

    const reconnecting = next<[number]>(alice.connection, 'reconnecting');
    const reconnected = next<['resume' | 'rejoin']>(alice.connection, 'reconnected', 10_000);
    cut('resume', 'alice');
    expect(await reconnecting).toEqual([1]);
    expect(alice.connection.state).toBe('reconnecting');
    // While disconnected: a pause (notification) and a new producer (requests) wait for the new socket.
    video.pause({ during: 'outage' });
    const audio = alice.room.createProducer(audioTrack());
    const sending = audio.send(send);
    expect(await reconnected).toEqual(['resume']);
    await sending;

    expect(alice.connection.state).toBe('open');
    expect(serverRoom.getPeerByName('alice')).toBe(serverAlice); // the same peer, no duplicate
    expect(serverRoom.peers.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    expect(serverAlice.getProducerById(video.id)?.closed).toBe(false);
    expect(serverAlice.getProducerById(audio.id)?.closed).toBe(false);
    const iceAfter = (serverTransport.engine as { iceParameters: { usernameFragment: string } })
      .iceParameters.usernameFragment;
    expect(iceAfter).not.toBe(iceBefore); // ICE restarted
    // bob's consumer went on; the pause made during the outage reached it; the new producer too.
    expect(consumer.closed).toBe(false);
    await expect.poll(() => consumer.remotelyPaused).toBe(true);
    await expect.poll(() => bob.room.getPeerByName('alice')?.consumers.length).toBe(2);
    alice.room.leave();
    bob.room.leave();
  });

  it('after the grace period it joins again from scratch and sends its producers again, on the transports the app holds', async () => {
    // The first attempt comes after the server has let the peer go.
    const alice = await joined('rejoin', 'alice', [GRACE * 2.5, 500, 500]);
    const bob = await joined('rejoin', 'bob');
    const send = alice.room.createTransport('send');
    const producer = alice.room.createProducer(videoTrack());
    await producer.send(send);
    await expect.poll(() => bob.room.getPeerByName('alice')?.consumers.length).toBe(1);
    const oldServerPeer = server.getRoom('rejoin')!.getPeerByName('alice')!;
    // Alice receives bob as the client README's main example does: one
    // receive transport, created once, and a handler for every consumer.
    const recv = alice.room.createTransport('recv');
    const received: string[] = [];
    const show = async (consumer: Consumer) => {
      const track = await consumer.receive(recv);
      received.push(`${consumer.peer.name}:${track.kind}`);
    };
    const bobProducer = bob.room.createProducer(audioTrack());
    await bobProducer.send(bob.room.createTransport('send'));
    const bobOnAlice =
      alice.room.getPeerByName('bob') ?? (await next<[Peer]>(alice.room, 'newpeer'))[0];
    for (const c of bobOnAlice.consumers) await show(c);
    bobOnAlice.on('newconsumer', show);
    alice.room.on('newpeer', (peer) => {
      peer.consumers.forEach(show);
      peer.on('newconsumer', show);
    });
    await expect.poll(() => received).toEqual([`bob:audio`]);

    const peerClosed = next(bob.room.getPeerByName('alice')!, 'close', 10_000);
    const reconnected = next<['resume' | 'rejoin']>(alice.connection, 'reconnected', 15_000);
    cut('rejoin', 'alice');
    await peerClosed; // bob saw alice go when her grace period ended
    expect(await reconnected).toEqual(['rejoin']);

    const newServerPeer = server.getRoom('rejoin')!.getPeerByName('alice')!;
    expect(newServerPeer).not.toBe(oldServerPeer);
    expect(oldServerPeer.closed).toBe(true);
    // The producer was sent again, under the same id, on the same transport
    // object (created again on the server).
    await expect.poll(() => newServerPeer.getProducerById(producer.id)?.closed).toBe(false);
    expect(producer.closed).toBe(false);
    expect(producer.transport).toBe(send);
    expect(send.closed).toBe(false);
    expect(newServerPeer.getTransportById(send.id)?.closed).toBe(false);
    // bob sees alice again, with a consumer of the producer.
    await expect
      .poll(() => bob.room.getPeerByName('alice')?.consumers.length, { timeout: 5000 })
      .toBe(1);
    // And alice receives bob again on the receive transport she created once,
    // with no code of hers but the README's.
    expect(recv.closed).toBe(false);
    await expect.poll(() => received, { timeout: 5000 }).toEqual([`bob:audio`, `bob:audio`]);
    expect(newServerPeer.getTransportById(recv.id)?.closed).toBe(false);
    expect(alice.room.getPeerByName('bob')!.consumers[0]!.transport).toBe(recv);
    alice.room.leave();
    bob.room.leave();
  });

  it('data channels: a resume keeps them; a rejoin sends the data producers again and the others receive them again', async () => {
    const bob = await joined('data-rejoin', 'bob');
    const dataOf = (name: string) =>
      bob.room.getPeerByName(name)?.dataConsumers.filter((dc) => !dc.closed) ?? [];
    const serverRoom = server.getRoom('data-rejoin')!;

    // A resume: the same data producer on the server, the same data consumer at bob.
    const alice = await joined('data-rejoin', 'alice', [300, 300, 300]);
    const chat = await alice.room.produceData({ label: 'chat', appData: { topic: 'general' } });
    const aliceOnServer = () => serverRoom.getPeerByName('alice')?.getDataProducerById(chat.id);
    expect(aliceOnServer()?.label).toBe('chat');
    await expect.poll(() => dataOf('alice').map((dc) => dc.label)).toEqual(['chat']);
    await expect.poll(() => dataOf('alice')[0]?.receiving).toBe(true);
    expect(dataOf('alice')[0]!.appData).toEqual({ topic: 'general' });
    const serverDataProducer = aliceOnServer();
    const firstConsumer = dataOf('alice')[0]!;
    cut('data-rejoin', 'alice');
    expect(await next(alice.connection, 'reconnected', 10_000)).toEqual(['resume']);
    expect(aliceOnServer()).toBe(serverDataProducer);
    expect(chat.closed).toBe(false);
    expect(firstConsumer.closed).toBe(false);
    alice.room.leave();

    // A rejoin (the first attempt after the grace period): the data producer
    // is sent again under its id; bob sees carol leave and come back, with a
    // new data consumer of her channel, received.
    const carol = await joined('data-rejoin', 'carol', [GRACE * 2.5, 500, 500]);
    const notes = await carol.room.produceData({
      label: 'notes',
      ordered: false,
      maxRetransmits: 3,
    });
    const carolOnServer = () => serverRoom.getPeerByName('carol')?.getDataProducerById(notes.id);
    await expect.poll(() => dataOf('carol').map((dc) => dc.label)).toEqual(['notes']);
    const before = carolOnServer();
    const oldConsumer = dataOf('carol')[0]!;
    const rejoined = next<['resume' | 'rejoin']>(carol.connection, 'reconnected', 15_000);
    cut('data-rejoin', 'carol');
    expect(await rejoined).toEqual(['rejoin']);
    await expect.poll(() => carolOnServer()?.closed).toBe(false);
    expect(carolOnServer()).not.toBe(before);
    expect(carolOnServer()!.sctpStreamParameters).toMatchObject({
      ordered: false,
      maxRetransmits: 3,
    });
    expect(notes.closed).toBe(false);
    expect(oldConsumer.closed).toBe(true);
    await expect.poll(() => dataOf('carol').map((dc) => dc.label)).toEqual(['notes']);
    await expect.poll(() => dataOf('carol')[0]?.receiving).toBe(true);
    expect(dataOf('carol')[0]!.maxRetransmits).toBe(3);
    carol.room.leave();
    bob.room.leave();
  });

  it('gives up after its last attempt and closes the room', async () => {
    const carol = await joined('giveup', 'carol', [50, 50]);
    const failed = next<[Error]>(carol.connection, 'failed', 10_000);
    const closed = next(carol.room, 'close', 10_000);
    // Nobody listens any more: every attempt fails.
    await endpoint.close();
    const [error] = await failed;
    expect(error.message).toContain('could not reconnect');
    await closed;
    expect(carol.room.closed).toBe(true);
    // Bring the endpoint back for any later test.
    endpoint = await WebSocketEndpoint.listen({
      server,
      auth: 'none',
      host: '127.0.0.1',
      selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
      sessionGraceMs: GRACE,
    });
  });
});
