// Every request and notification of the protocol against a real server (real
// mediasoup worker, real WebSocket endpoint), with each error path: an error
// response with a clear code, and the peer goes on.
import {
  encodeClientMessage,
  jsonToMessage,
  PROTOCOL_VERSION,
  pb,
  rtpCapabilitiesToMessage,
} from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { describe, expect, it } from 'vitest';
import { audioParameters, FAKE_DTLS, message } from './helpers/fixtures.js';
import { protocolWorld } from './helpers/protocolWorld.js';

const SEND = pb.TransportDirection.TRANSPORT_DIRECTION_SEND;
const RECV = pb.TransportDirection.TRANSPORT_DIRECTION_RECV;
const _VIDEO = pb.MediaKind.MEDIA_KIND_VIDEO;
const AUDIO = pb.MediaKind.MEDIA_KIND_AUDIO;

const w = protocolWorld('protocol');
const { freshRoom, joined, produce, sendTransport } = w;

describe('before join', () => {
  it('queryRoom answers the room capabilities', async () => {
    const client = await ProtocolClient.connect(await freshRoom());
    const res = await client.ok({ queryRoom: {} }, 'queryRoom');
    expect(res.rtpCapabilities?.codecs.map((c) => c.mimeType)).toEqual(
      w.room.rtpCapabilities.codecs?.map((c) => c.mimeType),
    );
    client.close();
  });

  it('refuses requests and notifications with NOT_JOINED', async () => {
    const client = await ProtocolClient.connect(await freshRoom());
    expect((await client.error({ createTransport: { id: 1, direction: SEND } })).code).toBe(
      'NOT_JOINED',
    );
    client.notify({ pauseProducer: { id: 1 } });
    const rejected = await client.waitFor('notificationRejected');
    expect(rejected.notification).toBe('pause_producer');
    expect(rejected.error?.code).toBe(pb.ErrorCode.ERROR_CODE_NOT_JOINED);
    client.close();
  });

  it('join errors: version, name, capabilities', async () => {
    const url = await freshRoom();
    const client = await ProtocolClient.connect(url);
    const caps = rtpCapabilitiesToMessage(w.room.rtpCapabilities);
    const join = (over: Partial<pb.JoinRequest.$Properties>) =>
      client.error({
        join: { protocolVersion: PROTOCOL_VERSION, peerName: 'a', rtpCapabilities: caps, ...over },
      });
    expect((await join({ protocolVersion: 99 })).code).toBe('INCOMPATIBLE_PROTOCOL_VERSION');
    expect((await join({ protocolVersion: 0 })).message).toContain('update the client');
    expect(await join({ peerName: '' })).toMatchObject({ code: 'BAD_REQUEST', field: 'peerName' });
    expect(await join({ rtpCapabilities: undefined })).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'rtpCapabilities',
    });
    const noCommon = rtpCapabilitiesToMessage({
      codecs: [
        { kind: 'video', mimeType: 'video/AV1', clockRate: 90000, preferredPayloadType: 96 },
      ],
    });
    expect(await join({ rtpCapabilities: noCommon })).toMatchObject({
      code: 'UNSUPPORTED',
      field: 'rtpCapabilities.codecs',
    });
    const badKind = pb.RtpCapabilities.create({
      codecs: [{ mimeType: 'audio/opus', clockRate: 48000 }],
    });
    expect(await join({ rtpCapabilities: badKind })).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'rtpCapabilities.codecs[0].kind',
    });
    // After all that, the connection still joins.
    await client.join('a', w.room.rtpCapabilities);
    expect(
      (
        await client.error({
          join: { protocolVersion: PROTOCOL_VERSION, peerName: 'a2', rtpCapabilities: caps },
        })
      ).code,
    ).toBe('ALREADY_JOINED');
    const other = await ProtocolClient.connect(url);
    expect(
      (
        await other.error({
          join: { protocolVersion: PROTOCOL_VERSION, peerName: 'a', rtpCapabilities: caps },
        })
      ).code,
    ).toBe('PEER_NAME_TAKEN');
    client.close();
    other.close();
  });

  it('a frame that is not a message gets an answer and the connection goes on', async () => {
    const client = await ProtocolClient.connect(await freshRoom());
    client.sendRaw(Uint8Array.from([0xff, 0xff, 0xff]));
    const rejected = await client.waitFor('notificationRejected');
    expect(rejected.error?.code).toBe(pb.ErrorCode.ERROR_CODE_BAD_REQUEST);
    expect(rejected.error?.message).toContain('MALFORMED_FRAME');
    // A request with a body this server does not know is answered by id.
    const unknown = encodeClientMessage({ request: { id: 77 } });
    client.sendRaw(
      Uint8Array.from([
        ...unknown.subarray(0, 1),
        unknown[1]! + 3,
        ...unknown.subarray(2),
        0x9a,
        0x06,
        0x00,
      ]),
    );
    await client.join('still-fine', w.room.rtpCapabilities);
    client.close();
  });
});

describe('transports', () => {
  it('createTransport: ICE on 127.0.0.1, DTLS fingerprints; errors for ids and direction', async () => {
    const client = await joined(await freshRoom(), 'alice');
    const res = await sendTransport(client);
    expect(res.iceParameters?.iceLite).toBe(true);
    expect(res.iceCandidates.length).toBeGreaterThan(0);
    for (const c of res.iceCandidates) expect(c.ip).toBe('127.0.0.1');
    expect(res.dtlsParameters?.fingerprints.map((f) => f.algorithm)).toContain('sha-256');
    expect(w.room.getPeerByName('alice')?.getTransportById(1)?.direction).toBe('send');

    expect((await client.error({ createTransport: { id: 1, direction: SEND } })).code).toBe(
      'ALREADY_EXISTS',
    );
    expect(await client.error({ createTransport: { id: 0, direction: SEND } })).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'id',
    });
    expect(await client.error({ createTransport: { id: 2 } })).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'direction',
    });
    client.close();
  });

  it('createTransport with plainRtpParameters is refused: off on a server that did not turn it on', async () => {
    const client = await joined(await freshRoom(), 'rtp-client');
    const refused = await client.error({
      createTransport: {
        id: 9,
        direction: RECV,
        plainRtpParameters: { ip: '127.0.0.1', ipVersion: 4, port: 5004 },
      },
    });
    expect(refused).toMatchObject({ code: 'FORBIDDEN', field: 'plainRtpParameters' });
    expect(refused.message).toMatch(/clientPlainRtp/);
    expect(w.room.getPeerByName('rtp-client')?.getTransportById(9)).toBeUndefined();
    client.close();
  });

  it('connectTransport once; restartIce gives new ICE parameters', async () => {
    const client = await joined(await freshRoom(), 'bob');
    const created = await sendTransport(client);
    expect(
      await client.error({
        connectTransport: { transportId: 1, dtlsParameters: { fingerprints: [] } },
      }),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'dtlsParameters.fingerprints',
    });
    await client.ok(
      { connectTransport: { transportId: 1, dtlsParameters: FAKE_DTLS } },
      'connectTransport',
    );
    expect(
      (await client.error({ connectTransport: { transportId: 1, dtlsParameters: FAKE_DTLS } }))
        .code,
    ).toBe('INVALID_STATE');
    expect(
      (await client.error({ connectTransport: { transportId: 5, dtlsParameters: FAKE_DTLS } }))
        .code,
    ).toBe('NOT_FOUND');
    const restarted = await client.ok({ restartIce: { transportId: 1 } }, 'restartIce');
    expect(restarted.iceParameters?.usernameFragment).toBeTruthy();
    expect(restarted.iceParameters?.usernameFragment).not.toBe(
      created.iceParameters?.usernameFragment,
    );
    client.close();
  });

  it('updateTransport (v2 notification) connects; a second one is rejected', async () => {
    const client = await joined(await freshRoom(), 'carol');
    await sendTransport(client);
    client.notify({ updateTransport: { id: 1, dtlsParameters: FAKE_DTLS } });
    client.notify({ updateTransport: { id: 1, dtlsParameters: FAKE_DTLS } });
    const rejected = await client.waitFor(
      'notificationRejected',
      (n) => n.notification === 'update_transport',
    );
    expect(rejected.error?.code).toBe(pb.ErrorCode.ERROR_CODE_INVALID_STATE);
    expect(rejected.error?.message).toContain('already connected');
    // The first one connected it: connectTransport now says so too.
    expect(
      (await client.error({ connectTransport: { transportId: 1, dtlsParameters: FAKE_DTLS } }))
        .code,
    ).toBe('INVALID_STATE');
    client.close();
  });

  it('closeTransport closes it and its producers; the others lose their consumers', async () => {
    const url = await freshRoom();
    const a = await joined(url, 'a');
    const b = await joined(url, 'b');
    await sendTransport(a);
    await produce(a, { id: 5, kind: AUDIO, rtpParameters: message(audioParameters()) });
    const consumer = await b.waitFor('newConsumer');
    a.notify({ closeTransport: { id: 1, appData: jsonToMessage('bye') } });
    const closed = await b.waitFor('consumerClosed');
    expect(closed.id).toBe(consumer.consumer?.id);
    expect(closed.peerName).toBe('a');
    expect(w.room.getPeerByName('a')?.transports).toEqual([]);
    expect(a.received('transportClosed')).toEqual([]); // the client closed it: no echo
    a.close();
    b.close();
  });

  it('transport stats come every interval until disabled', async () => {
    const client = await joined(await freshRoom(), 'stats');
    await sendTransport(client);
    client.notify({ enableTransportStats: { id: 1, intervalMs: 1000 } });
    const stats = await client.waitFor('transportStats', () => true, 3000);
    expect(stats.id).toBe(1);
    expect(stats.stats[0]?.type).toBe('webrtc-transport');
    expect(stats.stats[0]?.iceState).toBe('new');
    client.notify({ disableTransportStats: { id: 1 } });
    await new Promise((r) => setTimeout(r, 100));
    const count = client.received('transportStats').length;
    await new Promise((r) => setTimeout(r, 1300));
    expect(client.received('transportStats').length).toBe(count);
    client.close();
  });
});
