// Data producers and consumers over the protocol against a real server (real
// mediasoup worker, real WebSocket endpoint): what each peer is told, each
// refusal with its code and field, and the server app's messages. The SCTP
// associations never connect here (no browser): the browsers' side is in
// apps/demo/test/data.test.ts and tests/cluster/test/data.test.ts.
import { jsonToMessage, pb } from '@x/protocol';
import { ProtocolClient } from '@x/testkit';
import { describe, expect, it } from 'vitest';
import { protocolWorld } from './helpers/protocolWorld.js';

const SEND = pb.TransportDirection.TRANSPORT_DIRECTION_SEND;
const RECV = pb.TransportDirection.TRANSPORT_DIRECTION_RECV;
const SCTP = { numStreams: { os: 1024, mis: 1024 } };

const w = protocolWorld('data');
const { freshRoom, joined } = w;

/** A send (id 1) and a receive (id 2) transport with SCTP, and one receive transport (3) without. */
async function transports(client: ProtocolClient): Promise<void> {
  await client.ok(
    { createTransport: { id: 1, direction: SEND, sctpCapabilities: SCTP } },
    'createTransport',
  );
  await client.ok(
    { createTransport: { id: 2, direction: RECV, sctpCapabilities: SCTP } },
    'createTransport',
  );
  await client.ok({ createTransport: { id: 3, direction: RECV } }, 'createTransport');
}

const produceData = (
  client: ProtocolClient,
  over: Partial<pb.CreateDataProducerRequest.$Properties> = {},
) =>
  client.request({
    createDataProducer: {
      id: 77,
      transportId: 1,
      sctpStreamParameters: { streamId: 1, ordered: true },
      label: 'chat',
      protocol: 'text',
      appData: jsonToMessage({ topic: 'general' }),
      ...over,
    },
  });

describe('data producers and consumers over the protocol', () => {
  it('announced to the others, enabled on an SCTP transport, closed: every peer is told', async () => {
    const url = await freshRoom();
    const alice = await joined(url, 'alice');
    const bob = await joined(url, 'bob');
    await transports(alice);
    await transports(bob);
    const created = await alice.request({
      createTransport: { id: 9, direction: SEND, sctpCapabilities: SCTP },
    });
    // The server's SCTP parameters: the room's message size limit as max-message-size.
    expect(created.createTransport?.sctpParameters).toMatchObject({
      port: 5000,
      maxMessageSize: 16 * 1024,
    });
    expect((await produceData(alice)).createDataProducer).toBeDefined();

    const announced = await bob.waitFor('newDataConsumer');
    expect(announced.dataConsumer).toMatchObject({
      peerName: 'alice',
      dataProducerId: 77,
      label: 'chat',
      protocol: 'text',
      ordered: true,
    });
    const id = announced.dataConsumer!.id;
    // A peer that joins later has it in its join answer.
    const carol = await ProtocolClient.connect(url);
    const answer = await carol.join('carol', w.room.rtpCapabilities);
    const aliceOnCarol = answer.peers.find((p) => p.name === 'alice');
    expect(aliceOnCarol?.dataConsumers.map((dc) => dc.label)).toEqual(['chat']);

    // Enabled: not on a transport without SCTP, nor a send one; on transport 2, a stream.
    expect(await bob.error({ enableDataConsumer: { id, transportId: 3 } })).toMatchObject({
      code: 'INVALID_STATE',
      field: 'transportId',
    });
    expect(await bob.error({ enableDataConsumer: { id, transportId: 1 } })).toMatchObject({
      code: 'INVALID_STATE',
    });
    expect(await bob.error({ enableDataConsumer: { id: 12345, transportId: 2 } })).toMatchObject({
      code: 'NOT_FOUND',
    });
    const enabled = await bob.ok(
      { enableDataConsumer: { id, transportId: 2 } },
      'enableDataConsumer',
    );
    expect(enabled.sctpStreamParameters).toMatchObject({ ordered: true });
    const server = w.room.getPeerByName('bob')!.getDataConsumerById(id)!;
    expect(server.transport?.id).toBe(2);
    expect(server.appData).toEqual({ topic: 'general' });

    // Alice closes it: bob and carol are told, the server has it no more.
    alice.notify({ closeDataProducer: { id: 77 } });
    await bob.waitFor('dataConsumerClosed', (n) => n.id === id && n.peerName === 'alice');
    await carol.waitFor('dataConsumerClosed', (n) => n.peerName === 'alice');
    expect(w.room.dataProducers).toEqual([]);
    for (const c of [alice, bob, carol]) c.leave();
  });

  it('refusals name the field; the peer and the room go on', async () => {
    const url = await freshRoom();
    const alice = await joined(url, 'alice');
    await transports(alice);
    const error = async (over: Partial<pb.CreateDataProducerRequest.$Properties>) =>
      (await produceData(alice, over)).error;
    expect(await error({ id: 0 })).toMatchObject({ field: 'id' });
    expect(await error({ transportId: 2 })).toMatchObject({ field: 'transportId' }); // a receive one
    expect(await error({ transportId: 3 })).toMatchObject({ field: 'transportId' });
    expect(await error({ sctpStreamParameters: undefined })).toMatchObject({
      field: 'sctpStreamParameters',
    });
    expect(
      await error({ sctpStreamParameters: { streamId: 1, ordered: false, maxRetransmits: 0 } }),
    ).toMatchObject({ field: 'sctpStreamParameters' });
    expect(await error({ label: 'l'.repeat(257) })).toMatchObject({ field: 'label' });
    expect(await error({ protocol: 'p'.repeat(257) })).toMatchObject({ field: 'protocol' });
    expect(await error({ appData: jsonToMessage('a'.repeat(5000)) })).toMatchObject({
      field: 'appData',
    });
    // dataProducersPerPeer (8): the ninth is refused, and the same id twice.
    for (let i = 1; i <= 8; i++)
      expect(
        (await produceData(alice, { id: i, sctpStreamParameters: { streamId: i, ordered: true } }))
          .error,
      ).toBeNull();
    const ninth = await error({ id: 9, sctpStreamParameters: { streamId: 9, ordered: true } });
    expect(ninth?.message).toMatch(/dataProducersPerPeer/);
    expect(ninth?.code).toBe(pb.ErrorCode.ERROR_CODE_LIMIT_EXCEEDED);
    expect(await error({ id: 1 })).toMatchObject({ field: 'id' });
    // A close of a data producer it does not have is rejected, naming it.
    alice.notify({ closeDataProducer: { id: 4242 } });
    const rejected = await alice.waitFor('notificationRejected');
    expect(rejected.notification).toBe('close_data_producer');
    expect(w.room.getPeerByName('alice')!.dataProducers).toHaveLength(8);
    alice.leave();
  });

  it('the server app speaks to the room or to some peers, text or bytes', async () => {
    const url = await freshRoom();
    const alice = await joined(url, 'alice');
    const bob = await joined(url, 'bob');
    w.room.sendData('to everyone', { label: 'notice' });
    w.room.sendData(new Uint8Array([1, 2, 3]), { label: 'state', to: ['bob'] });
    for (const c of [alice, bob])
      expect(await c.waitFor('dataMessage', (m) => m.label === 'notice')).toMatchObject({
        text: 'to everyone',
      });
    const state = await bob.waitFor('dataMessage', (m) => m.label === 'state');
    expect([...(state.binary ?? [])]).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 200));
    expect(alice.received('dataMessage').map((m) => m.label)).toEqual(['notice']);
    for (const c of [alice, bob]) c.leave();
  });
});
