// Producers and consumers over the protocol, and what the server does that
// reaches the client, against a real server (real mediasoup worker, real
// WebSocket endpoint), with each error path.
import { jsonToMessage, PROTOCOL_VERSION, pb } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Peer, Producer } from '../src/index.js';
import { audioParameters, message, videoParameters } from './helpers/fixtures.js';
import { protocolWorld } from './helpers/protocolWorld.js';

const SEND = pb.TransportDirection.TRANSPORT_DIRECTION_SEND;
const RECV = pb.TransportDirection.TRANSPORT_DIRECTION_RECV;
const VIDEO = pb.MediaKind.MEDIA_KIND_VIDEO;
const AUDIO = pb.MediaKind.MEDIA_KIND_AUDIO;

const w = protocolWorld('media');
const { freshRoom, joined, produce, sendTransport } = w;

describe('producers and consumers', () => {
  it('createProducer errors: wrong transport, ids, parameters, spy', async () => {
    const url = await freshRoom();
    const client = await joined(url, 'p');
    await sendTransport(client);
    await client.ok({ createTransport: { id: 2, direction: RECV } }, 'createTransport');
    const produce = (over: Partial<pb.CreateProducerRequest.$Properties>) =>
      client.error({
        createProducer: {
          id: 10,
          kind: VIDEO,
          transportId: 1,
          rtpParameters: message(videoParameters()),
          ...over,
        },
      });
    expect(await produce({ transportId: 2 })).toMatchObject({
      code: 'INVALID_STATE',
      field: 'transportId',
    });
    expect(await produce({ transportId: 3 })).toMatchObject({
      code: 'NOT_FOUND',
      field: 'transportId',
    });
    expect(await produce({ id: 0 })).toMatchObject({ code: 'BAD_REQUEST', field: 'id' });
    expect(await produce({ rtpParameters: undefined })).toMatchObject({
      code: 'BAD_REQUEST',
      field: 'rtpParameters',
    });
    const av1 = {
      ...videoParameters(),
      codecs: [{ mimeType: 'video/AV1', payloadType: 96, clockRate: 90000 }],
    };
    expect((await produce({ rtpParameters: message(av1) })).code).toBe('UNSUPPORTED');
    expect(
      (await produce({ rtpParameters: message({ ...videoParameters(), codecs: [] }) })).code,
    ).toBe('BAD_REQUEST');
    // Still usable: the same id works now, and then is taken.
    await w.produce(client, { id: 10, kind: VIDEO, rtpParameters: message(videoParameters()) });
    expect((await produce({ rtpParameters: message(videoParameters(false, 333)) })).code).toBe(
      'ALREADY_EXISTS',
    );

    const spy = await joined(url, 'spy', { spy: true });
    expect((await spy.error({ createTransport: { id: 1, direction: SEND } })).code).toBe(
      'FORBIDDEN',
    );
    client.close();
    spy.close();
  });

  // One scenario, step by step.
  describe('a consumer over the wire', () => {
    let a: ProtocolClient;
    let b: ProtocolClient;
    let consumer: pb.ConsumerInfo;
    let serverConsumer: Consumer;

    beforeAll(async () => {
      const url = await freshRoom();
      a = await joined(url, 'a');
      b = await joined(url, 'b');
    });
    afterAll(() => {
      a.close();
      b.close();
    });

    it('a producer of one peer is announced to the other as a consumer', async () => {
      await sendTransport(a);
      await produce(a, { id: 7, kind: VIDEO, rtpParameters: message(videoParameters()) });
      consumer = (await b.waitFor('newConsumer')).consumer!;
      expect(consumer).toMatchObject({
        kind: VIDEO,
        peerName: 'a',
        supported: true,
        simulcast: false,
        paused: false,
      });
      serverConsumer = w.room.getPeerByName('b')!.getConsumerById(consumer.id)!;
    });

    it('enableConsumer refuses a send transport, unknown ids, and the objects of another peer', async () => {
      await b.ok({ createTransport: { id: 1, direction: SEND } }, 'createTransport');
      await b.ok({ createTransport: { id: 2, direction: RECV } }, 'createTransport');
      expect(await b.error({ enableConsumer: { id: consumer.id, transportId: 1 } })).toMatchObject({
        code: 'INVALID_STATE',
        field: 'transportId',
      });
      expect((await b.error({ enableConsumer: { id: 12345, transportId: 2 } })).code).toBe(
        'NOT_FOUND',
      );
      expect((await b.error({ startConsumer: { id: consumer.id } })).code).toBe('INVALID_STATE');
      expect((await a.error({ enableConsumer: { id: consumer.id, transportId: 1 } })).code).toBe(
        'NOT_FOUND',
      );
      expect(
        (
          await b.error({
            createProducer: {
              id: 1,
              kind: VIDEO,
              transportId: 99,
              rtpParameters: message(videoParameters()),
            },
          })
        ).code,
      ).toBe('NOT_FOUND');
      a.notify({ pauseConsumer: { id: consumer.id } });
      expect(
        (await a.waitFor('notificationRejected', (n) => n.notification === 'pause_consumer')).error
          ?.code,
      ).toBe(pb.ErrorCode.ERROR_CODE_NOT_FOUND);
    });

    it('enableConsumer on a receive transport answers its parameters; media flows once started', async () => {
      const enabled = await b.ok(
        {
          enableConsumer: {
            id: consumer.id,
            transportId: 2,
            preferredProfile: pb.Profile.PROFILE_LOW,
          },
        },
        'enableConsumer',
      );
      expect(enabled.rtpParameters?.codecs[0]?.mimeType).toBe('video/VP8');
      expect(enabled.rtpParameters?.encodings[0]?.ssrc).toBeGreaterThan(0);
      expect(enabled.preferredProfile).toBe(pb.Profile.PROFILE_LOW);
      expect(enabled.effectiveProfile).toBe(pb.Profile.PROFILE_DEFAULT);
      expect(serverConsumer.enabled).toBe(true);
      expect(serverConsumer.engine?.paused).toBe(true); // until started
      await b.ok({ startConsumer: { id: consumer.id } }, 'startConsumer');
      await expect.poll(() => serverConsumer.engine?.paused).toBe(false);
    });

    it('pause and resume from the client: the engine consumer follows', async () => {
      b.notify({ pauseConsumer: { id: consumer.id, appData: jsonToMessage('away') } });
      await expect.poll(() => serverConsumer.remotelyPaused).toBe(true);
      await expect.poll(() => serverConsumer.engine?.paused).toBe(true);
      b.notify({ resumeConsumer: { id: consumer.id } });
      await expect.poll(() => serverConsumer.engine?.paused).toBe(false);
    });

    it("the client's preferred profile is applied; 'none' is refused", async () => {
      b.notify({
        setConsumerPreferredProfile: { id: consumer.id, profile: pb.Profile.PROFILE_HIGH },
      });
      await expect.poll(() => serverConsumer.preferredProfile).toBe('high');
      b.notify({
        setConsumerPreferredProfile: { id: consumer.id, profile: pb.Profile.PROFILE_NONE },
      });
      expect((await b.waitFor('notificationRejected')).error?.code).toBe(
        pb.ErrorCode.ERROR_CODE_BAD_REQUEST,
      );
    });

    it('closing the receive transport leaves the consumer open, unhandled, receiving nothing', async () => {
      b.notify({ closeTransport: { id: 2 } });
      const changed = await b.waitFor('consumerEffectiveProfileChanged');
      expect(changed.profile).toBe(pb.Profile.PROFILE_NONE);
      expect(serverConsumer.enabled).toBe(false);
      expect(serverConsumer.closed).toBe(false);
    });
  });
  it('pause/resume/close producer from the client reach the consumers with originator source', async () => {
    const url = await freshRoom();
    const a = await joined(url, 'a');
    const b = await joined(url, 'b');
    await sendTransport(a);
    await produce(a, {
      id: 3,
      kind: AUDIO,
      rtpParameters: message(audioParameters()),
      appData: jsonToMessage({ mic: 1 }),
    });
    const { consumer } = await b.waitFor('newConsumer');
    expect(consumer?.appData?.objectValue?.members[0]?.key).toBe('mic');
    const producer = w.room.getPeerByName('a')!.getProducerById(3)!;

    a.notify({ pauseProducer: { id: 3, appData: jsonToMessage('muted') } });
    const paused = await b.waitFor('consumerPaused');
    expect(paused).toMatchObject({
      id: consumer!.id,
      peerName: 'a',
      originator: pb.PauseOriginator.PAUSE_ORIGINATOR_SOURCE,
    });
    expect(paused.appData?.stringValue).toBe('muted');
    expect(producer.remotelyPaused).toBe(true);
    await expect.poll(() => producer.engine.paused).toBe(true);
    a.notify({ resumeProducer: { id: 3 } });
    await b.waitFor('consumerResumed');
    expect(producer.paused).toBe(false);

    a.notify({ enableProducerStats: { id: 3, intervalMs: 1000 } });
    expect((await a.waitFor('producerStats', () => true, 3000)).id).toBe(3);
    a.notify({ disableProducerStats: { id: 3 } });
    b.notify({ enableConsumerStats: { id: consumer!.id, intervalMs: 1000 } });
    expect(await b.waitFor('consumerStats', () => true, 3000)).toMatchObject({
      id: consumer!.id,
      peerName: 'a',
    });
    b.notify({ disableConsumerStats: { id: consumer!.id } });

    a.notify({ closeProducer: { id: 3 } });
    expect((await b.waitFor('consumerClosed')).id).toBe(consumer!.id);
    expect(producer.closed).toBe(true);
    a.notify({ closeProducer: { id: 3 } });
    expect((await a.waitFor('notificationRejected')).id).toBe(3);
    a.close();
    b.close();
  });
});

describe('server-side actions reach the client', () => {
  // One scenario, step by step.
  describe('what the app does to a peer and its objects', () => {
    let a: ProtocolClient;
    let b: ProtocolClient;
    let peerA: Peer;
    let producer: Producer;
    let serverConsumer: Consumer;
    let consumerId: number;

    beforeAll(async () => {
      const url = await freshRoom();
      a = await joined(url, 'a');
      b = await joined(url, 'b');
      await sendTransport(a);
      await produce(a, { id: 4, kind: VIDEO, rtpParameters: message(videoParameters(true)) });
      const { consumer } = await b.waitFor('newConsumer');
      expect(consumer?.simulcast).toBe(true);
      consumerId = consumer!.id;
      peerA = w.room.getPeerByName('a')!;
      producer = peerA.getProducerById(4)!;
      serverConsumer = w.room.getPeerByName('b')!.getConsumerById(consumerId)!;
    });
    afterAll(() => b.close());

    it('producer pause and resume: the owner hears them with the appData, viewers a source pause', async () => {
      producer.pause({ by: 'moderator' });
      expect(
        (await a.waitFor('producerPaused')).appData?.objectValue?.members[0]?.value?.stringValue,
      ).toBe('moderator');
      expect((await b.waitFor('consumerPaused')).originator).toBe(
        pb.PauseOriginator.PAUSE_ORIGINATOR_SOURCE,
      );
      producer.resume();
      await a.waitFor('producerResumed');
    });

    it('consumer pause and resume: its client hears them with originator server', async () => {
      serverConsumer.pause();
      const paused = await b.waitFor(
        'consumerPaused',
        (n) => n.originator === pb.PauseOriginator.PAUSE_ORIGINATOR_SERVER,
      );
      expect(paused.id).toBe(consumerId);
      serverConsumer.resume();
      await b.waitFor(
        'consumerResumed',
        (n) => n.originator === pb.PauseOriginator.PAUSE_ORIGINATOR_SERVER,
      );
    });

    it('consumer preferred profile: its client hears it', async () => {
      serverConsumer.setPreferredProfile('medium');
      expect((await b.waitFor('consumerPreferredProfileSet')).profile).toBe(
        pb.Profile.PROFILE_MEDIUM,
      );
    });

    it('producer close: the owner hears producerClosed, the viewer consumerClosed', async () => {
      producer.close();
      await a.waitFor('producerClosed');
      await b.waitFor('consumerClosed');
    });

    it('transport close: its client hears transportClosed', async () => {
      peerA.getTransportById(1)!.close('server says');
      expect((await a.waitFor('transportClosed')).id).toBe(1);
    });

    it('peer close: its client hears closed and its socket ends with 4000; the others hear peerClosed', async () => {
      peerA.close({ reason: 'kicked' });
      const closed = await a.waitFor('closed');
      expect(closed.reason).toBe(pb.CloseReason.CLOSE_REASON_PEER_CLOSED);
      expect((await a.closed).code).toBe(4000);
      expect((await b.waitFor('peerClosed')).name).toBe('a');
    });
  });

  it('leave closes the peer; the others are told with its appData', async () => {
    const url = await freshRoom();
    const a = await joined(url, 'a');
    const b = await joined(url, 'b');
    a.notify({ leave: { appData: jsonToMessage({ bye: true }) } });
    const left = await b.waitFor('peerClosed');
    expect(left.name).toBe('a');
    expect(left.appData?.objectValue?.members[0]?.key).toBe('bye');
    expect(w.room.getPeerByName('a')).toBeUndefined();
    b.close();
  });

  it('resumeSession with an unknown id is SESSION_EXPIRED', async () => {
    const client = await ProtocolClient.connect(await freshRoom());
    expect(
      (
        await client.error({
          resumeSession: { protocolVersion: PROTOCOL_VERSION, sessionId: 'nope' },
        })
      ).code,
    ).toBe('SESSION_EXPIRED');
    client.close();
  });
});
