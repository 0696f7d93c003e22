// What a client sends is bounded (appData, list lengths), and what the server
// sends fits a frame whatever the room holds: a large join answer is split.
import { decodeServerMessage, PROTOCOL_VERSION, pb, rtpCapabilitiesToMessage } from '@x/protocol';
import { audioParameters, ProtocolClient, videoParameters } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Room } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/fixtures.js';

let t: TestServer;
let room: Room;
const SEND = pb.TransportDirection.TRANSPORT_DIRECTION_SEND;
const big = (bytes: number) => ({ stringValue: 'x'.repeat(bytes) });

beforeAll(async () => {
  t = await startServer({
    rtcMinPort: 46400,
    rtcMaxPort: 46599,
    limits: { peersPerRoom: 500, consumersPerPeer: 40, messagesPerSecond: 10_000 },
  });
  room = await t.server.createRoom({ id: 'msgs', closeWhenEmpty: false });
});
afterAll(() => t.close());

async function joined(name: string, appData?: unknown) {
  const c = await ProtocolClient.connect(t.url('msgs'));
  await c.join(name, room.rtpCapabilities, {}, appData);
  return c;
}

describe('appData caps (LIMIT_EXCEEDED, the field named)', () => {
  it('at join', async () => {
    const c = await ProtocolClient.connect(t.url('msgs'));
    const refused = await c.error({
      join: {
        protocolVersion: PROTOCOL_VERSION,
        peerName: 'fat',
        rtpCapabilities: rtpCapabilitiesToMessage(room.rtpCapabilities),
        appData: big(5000),
      },
    });
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'appData' });
    expect(refused.message).toMatch(/maxAppDataSize/);
    expect(room.getPeerByName('fat')).toBeUndefined();
    c.close();
  });

  it('of a transport, a producer, and in notifications (refused, not relayed)', async () => {
    const a = await joined('a');
    const b = await joined('b');
    expect(
      await a.error({ createTransport: { id: 1, direction: SEND, appData: big(5000) } }),
    ).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'appData' });
    await a.createTransport(1, 'send');
    expect(
      await a.error({
        createProducer: {
          id: 1,
          transportId: 1,
          kind: pb.MediaKind.MEDIA_KIND_AUDIO,
          rtpParameters: (await import('@x/protocol')).rtpParametersToMessage(audioParameters()),
          appData: big(5000),
        },
      }),
    ).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'appData' });
    await a.produce(1, 1, 'audio', audioParameters());
    a.notify({ pauseProducer: { id: 1, appData: big(5000) } });
    const rejected = await a.waitFor('notificationRejected');
    expect(rejected.error?.code).toBe(pb.ErrorCode.ERROR_CODE_LIMIT_EXCEEDED);
    expect(room.getPeerByName('a')!.getProducerById(1)!.paused).toBe(false);
    expect(b.received('consumerPaused')).toEqual([]);
    a.leave();
    b.leave();
  });
});

describe('list lengths', () => {
  it('a producer with more encodings than any browser sends is refused', async () => {
    const a = await joined('lists');
    await a.createTransport(1, 'send');
    const params = videoParameters(false, 5000);
    params.encodings = Array.from({ length: 20 }, (_, i) => ({ ssrc: 9000 + i }));
    const answer = await a.request({
      createProducer: {
        id: 1,
        transportId: 1,
        kind: pb.MediaKind.MEDIA_KIND_VIDEO,
        rtpParameters: (await import('@x/protocol')).rtpParametersToMessage(params),
      },
    });
    expect(answer.error?.code).toBe(pb.ErrorCode.ERROR_CODE_LIMIT_EXCEEDED);
    expect(answer.error?.field).toBe('rtpParameters.encodings');
    a.leave();
  });
});

describe('consumers per peer', () => {
  it('a producer that would give a peer more than consumersPerPeer is refused, saying so', async () => {
    const r = await t.server.createRoom({ id: 'fanout', closeWhenEmpty: false });
    const viewer = await r.join({ name: 'viewer', rtpCapabilities: r.rtpCapabilities });
    const publishers = [];
    let refusal: unknown;
    for (let p = 0; p < 4 && !refusal; p++) {
      const pub = await r.join({ name: `pub${p}`, rtpCapabilities: r.rtpCapabilities });
      publishers.push(pub);
      await pub.createWebRtcTransport({ id: 1, direction: 'send' });
      for (let i = 1; i <= 16 && !refusal; i++) {
        try {
          await pub.produce({
            id: i,
            transportId: 1,
            kind: 'audio',
            rtpParameters: { ...audioParameters(p * 100 + i), mid: `a${i}` },
          });
        } catch (error) {
          refusal = error;
        }
      }
    }
    expect(viewer.consumers.length).toBe(40);
    expect(refusal).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect((refusal as Error).message).toMatch(/viewer already receives 40 \(consumersPerPeer\)/);
    r.close();
  });
});

describe('large rooms', () => {
  it('a join answer that would not fit one frame comes in batches; every peer arrives', async () => {
    // 120 peers × ~4 KiB appData ≈ 480 KiB of peers, + consumers' appData: > one 512 KiB batch.
    const r = await t.server.createRoom({ id: 'crowd', closeWhenEmpty: false });
    for (let i = 0; i < 120; i++) {
      const peer = await r.join({
        name: `p${i}`,
        rtpCapabilities: r.rtpCapabilities,
        appData: { pad: 'z'.repeat(4000) },
      });
      if (i < 20) {
        await peer.createWebRtcTransport({ id: 1, direction: 'send' });
        await peer.produce({
          id: 1,
          transportId: 1,
          kind: 'audio',
          rtpParameters: audioParameters(7000 + i),
          appData: { pad: 'q'.repeat(4000) },
        });
      }
    }
    const socket = new WebSocket(t.url('crowd'));
    await new Promise((r) => socket.once('open', r));
    const frames: Buffer[] = [];
    socket.on('message', (data: Buffer) => frames.push(data));
    socket.send(
      (await import('@x/protocol')).encodeClientMessage({
        request: {
          id: 1,
          join: {
            protocolVersion: PROTOCOL_VERSION,
            peerName: 'newcomer',
            rtpCapabilities: rtpCapabilitiesToMessage(r.rtpCapabilities),
          },
        },
      }),
    );
    await expect.poll(() => frames.length, { timeout: 5000 }).toBeGreaterThan(1);
    const response = decodeServerMessage(frames[0]!).response!;
    const more = response.join!.morePeerBatches;
    expect(more).toBeGreaterThan(0);
    await expect.poll(() => frames.length).toBe(1 + more);
    const batches = frames.slice(1).map((f) => decodeServerMessage(f).notification!.peerBatch!);
    const names = [...response.join!.peers, ...batches.flatMap((b) => b.peers)].map((p) => p.name);
    expect(new Set(names).size).toBe(120);
    for (const frame of frames) expect(frame.byteLength).toBeLessThan(1024 * 1024);
    socket.close();
    r.close();
  });
});
