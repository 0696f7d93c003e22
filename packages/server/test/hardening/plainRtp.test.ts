// Plain RTP transports created by clients send the room's media wherever the
// client says: off by default, then only with the token's permission and
// only to the networks the app allows — never broadcast or multicast.
import { pb } from '@x/protocol';
import { ProtocolClient, rtpSink } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessToken, type Room } from '../../src/index.js';
import { startServer, type TestServer } from '../helpers/fixtures.js';

const secret = 'plain-rtp-test-secret-of-32-bytes!!';
const RECV = pb.TransportDirection.TRANSPORT_DIRECTION_RECV;
let t: TestServer;
let room: Room;

beforeAll(async () => {
  t = await startServer(
    { rtcMinPort: 46000, rtcMaxPort: 46099, clientPlainRtp: { allowedNetworks: ['127.0.0.0/24'] } },
    { auth: { secret } },
  );
  room = await t.server.createRoom({ id: 'plain' });
});
afterAll(() => t.close());

async function client(name: string, canUsePlainRtp: boolean): Promise<ProtocolClient> {
  const token = await createAccessToken({ secret, room: 'plain', peer: name, canUsePlainRtp });
  const c = await ProtocolClient.connect(t.url('plain'));
  await c.join(name, room.rtpCapabilities, { token });
  return c;
}

const plain = (id: number, ip: string, port: number) => ({
  createTransport: { id, direction: RECV, plainRtpParameters: { ip, ipVersion: 4, port } },
});

describe('plain RTP transports of clients', () => {
  it('a token without canUsePlainRtp is refused', async () => {
    const c = await client('no-permission', false);
    expect(await c.error(plain(1, '127.0.0.1', 5004))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/canUsePlainRtp/),
    });
    c.close();
  });

  it('with the permission, an address of an allowed network works and receives the media', async () => {
    const c = await client('allowed', true);
    const sink = await rtpSink();
    const created = await c.ok(plain(1, '127.0.0.1', sink.port), 'createTransport');
    expect(created.plainRtpParameters?.ip).toBe('127.0.0.1');
    const transport = room.getPeerByName('allowed')!.getTransportById(1)!;
    expect(transport.constructor.name).toBe('PlainRtpTransport');
    sink.close();
    c.close();
  });

  it.each([
    ['outside the allowed networks', '10.1.2.3', 5004, /outside the networks/],
    ['a multicast address', '224.0.0.1', 5004, /multicast/],
    ['the broadcast address of an allowed network', '127.0.0.255', 5004, /broadcast/],
    ['the limited broadcast address', '255.255.255.255', 5004, /broadcast/],
    ['the unspecified address', '0.0.0.0', 5004, /unspecified/],
    ['a system port', '127.0.0.1', 53, /system port/],
  ])('%s is refused', async (_what, ip, port, message) => {
    const c = await client(`p${Math.random()}`, true);
    expect(await c.error(plain(1, ip, port))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(message),
    });
    c.close();
  });

  it('RtpStreamer and RTP ingest, whose addresses the app chooses, are not concerned', async () => {
    const ingest = await room.createRtpIngest({
      kind: 'audio',
      codec: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
      ssrc: 1,
    });
    const streamer = await room.createRtpStreamer(ingest.producer, {
      remoteIP: '127.0.0.1',
      remotePort: 9,
    });
    expect(streamer.closed).toBe(false);
    streamer.close();
    ingest.close();
  });
});
