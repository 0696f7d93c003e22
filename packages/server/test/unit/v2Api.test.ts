// mediasoup v2's app-carried protocol: the app hands the client's requests
// and notifications to room.receiveRequest(), peer.receiveRequest() and
// peer.receiveNotification(), and relays the peer's `notify` events.
import {
  jsonToMessage,
  PROTOCOL_VERSION,
  pb,
  rtpCapabilitiesToMessage,
  rtpParametersToMessage,
} from '@x/protocol';
import { audioParameters } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room, Server } from '../../src/index.js';
import { bodies, domainServer, heard, settle } from '../helpers/domain.js';

let server: Server;
let room: Room;

beforeAll(async () => {
  server = await domainServer({ rtcMinPort: 45300, rtcMaxPort: 45399 });
  room = await server.createRoom({ id: 'v2' });
});
afterAll(() => server.close());

const joinRequest = (id: number, peerName: string) =>
  pb.Request.create({
    id,
    join: {
      protocolVersion: PROTOCOL_VERSION,
      peerName,
      rtpCapabilities: rtpCapabilitiesToMessage(room.rtpCapabilities),
      appData: jsonToMessage({ display: peerName.toUpperCase() }),
    },
  });

describe('room.receiveRequest()', () => {
  it('answers queryRoom with the room capabilities', async () => {
    const response = await room.receiveRequest(pb.Request.create({ id: 7, queryRoom: {} }));
    expect(response.id).toBe(7);
    expect(response.queryRoom?.rtpCapabilities?.codecs.length).toBe(
      room.rtpCapabilities.codecs?.length,
    );
  });

  it('joins: the peer exists, with the appData and permissions given', async () => {
    const response = await room.receiveRequest(joinRequest(1, 'alice'), {
      permissions: { canSubscribe: false },
    });
    expect(response.join?.peers).toEqual([]);
    const alice = room.getPeerByName('alice')!;
    expect(alice.appData).toEqual({ display: 'ALICE' });
    expect(alice.permissions).toEqual({
      canPublish: true,
      canSubscribe: false,
      canUsePlainRtp: false,
    });
  });

  it('answers a bad join with an error response, never a rejection', async () => {
    const taken = await room.receiveRequest(joinRequest(2, 'alice'));
    expect(taken.error?.code).toBe(pb.ErrorCode.ERROR_CODE_PEER_NAME_TAKEN);
    const old = await room.receiveRequest(
      pb.Request.create({ id: 3, join: { protocolVersion: 0, peerName: 'zed' } }),
    );
    expect(old.error?.code).toBe(pb.ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION);
    const early = await room.receiveRequest(
      pb.Request.create({ id: 4, createTransport: { id: 1 } }),
    );
    expect(early.error?.code).toBe(pb.ErrorCode.ERROR_CODE_NOT_JOINED);
    expect(room.getPeerByName('zed')).toBeUndefined();
  });
});

describe('peer.receiveRequest(), receiveNotification() and notify', () => {
  it('a v2 app drives a publisher and a viewer through the delegates only', async () => {
    await room.receiveRequest(joinRequest(1, 'bob'));
    const bob = room.getPeerByName('bob')!;
    const alice = room.getPeerByName('alice')!;
    const heardByBob = heard(bob);

    const transport = await alice.receiveRequest(
      pb.Request.create({
        id: 10,
        createTransport: { id: 1, direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND },
      }),
    );
    expect(transport.createTransport?.iceParameters?.usernameFragment).toBeTruthy();
    expect(alice.getTransportById(1)?.direction).toBe('send');

    const produced = await alice.receiveRequest(
      pb.Request.create({
        id: 11,
        createProducer: {
          id: 1,
          transportId: 1,
          kind: pb.MediaKind.MEDIA_KIND_AUDIO,
          rtpParameters: rtpParametersToMessage(audioParameters()),
        },
      }),
    );
    expect(produced.error).toBeNull();
    // bob hears of the new producer through his notify event.
    const [newConsumer] = bodies(heardByBob, 'newConsumer');
    expect(newConsumer?.consumer?.peerName).toBe('alice');

    alice.receiveNotification(pb.ClientNotification.create({ pauseProducer: { id: 1 } }));
    expect(alice.getProducerById(1)?.remotelyPaused).toBe(true);
    expect(bodies(heardByBob, 'consumerPaused')[0]?.originator).toBe(
      pb.PauseOriginator.PAUSE_ORIGINATOR_SOURCE,
    );

    // A notification that cannot be carried out is answered with notificationRejected.
    const heardByAlice = heard(alice);
    alice.receiveNotification(pb.ClientNotification.create({ closeProducer: { id: 99 } }));
    expect(bodies(heardByAlice, 'notificationRejected')).toEqual([
      expect.objectContaining({
        notification: 'close_producer',
        id: 99,
        error: expect.objectContaining({ code: pb.ErrorCode.ERROR_CODE_NOT_FOUND }),
      }),
    ]);

    // A request that fails is an error response with its code.
    const wrong = await alice.receiveRequest(
      pb.Request.create({ id: 12, enableConsumer: { id: 5, transportId: 1 } }),
    );
    expect(wrong.id).toBe(12);
    expect(wrong.error?.code).toBe(pb.ErrorCode.ERROR_CODE_NOT_FOUND);

    alice.receiveNotification(pb.ClientNotification.create({ leave: {} }));
    await settle();
    expect(alice.closed).toBe(true);
    expect(bodies(heardByBob, 'peerClosed')).toEqual([expect.objectContaining({ name: 'alice' })]);
  });
});
