// What the seed pages promise beyond TypeScript: read-only properties that
// stay read-only at run time, and classes that inherit from Node's EventEmitter.
import { EventEmitter } from 'node:events';
import { rtpSink } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room, RtpStreamer, Server } from '../../src/index.js';
import { domainServer, publisher } from '../helpers/domain.js';

let server: Server;
let room: Room;
let streamer: RtpStreamer;
let sink: Awaited<ReturnType<typeof rtpSink>>;

beforeAll(async () => {
  server = await domainServer({ rtcMinPort: 45400, rtcMaxPort: 45499 });
  room = await server.createRoom();
  const pub = await publisher(room, 'alice');
  sink = await rtpSink();
  streamer = await room.createRtpStreamer(pub.video, {
    remoteIP: '127.0.0.1',
    remotePort: sink.port,
  });
});
afterAll(() => {
  sink.close();
  server.close();
});

describe('RtpStreamer (seed page)', () => {
  it('consumer and transport are read only at run time: assignment throws and changes nothing', () => {
    const { consumer, transport } = streamer;
    expect(() => {
      (streamer as unknown as { consumer: unknown }).consumer = null;
    }).toThrow(TypeError);
    expect(() => {
      (streamer as unknown as { transport: unknown }).transport = null;
    }).toThrow(TypeError);
    expect(streamer.consumer).toBe(consumer);
    expect(streamer.transport).toBe(transport);
    expect(Object.keys(streamer)).not.toContain('consumer');
  });

  it("inherits from Node's EventEmitter, with its whole API", () => {
    expect(streamer).toBeInstanceOf(EventEmitter);
    streamer.setMaxListeners(20);
    expect(streamer.getMaxListeners()).toBe(20);
    const order: string[] = [];
    const first = () => order.push('first');
    streamer.prependListener('close', first);
    expect(streamer.rawListeners('close')[0]).toBe(first);
    streamer.off('close', first);
  });

  it('its consumer offers a plain receiver no bandwidth estimation (nothing outside its rtpParameters is sent)', () => {
    const params = streamer.consumer.rtpParameters!;
    const feedback = params.codecs.flatMap((c) => (c.rtcpFeedback ?? []).map((fb) => fb.type));
    expect(feedback).not.toContain('transport-cc');
    expect(feedback).not.toContain('goog-remb');
    expect((params.headerExtensions ?? []).map((h) => h.uri).join()).not.toMatch(
      /transport-wide-cc|abs-send-time/,
    );
  });
});

describe('the other server classes inherit from EventEmitter too', () => {
  it('Server, Room, Peer, Producer, Consumer, transports', async () => {
    const pub = room.peers[0]!;
    for (const object of [
      server,
      room,
      pub,
      pub.producers[0],
      pub.transports[0],
      streamer.consumer,
      streamer.transport,
    ]) {
      expect(object).toBeInstanceOf(EventEmitter);
    }
  });
});
