// The members the Stats message types since protocol version 2
// (bitrateByLayer, rtpPacketLossReceived, rtpPacketLossSent): typed for a
// client of version 2, in `extra` for a client of version 1, and the same
// stats objects come back either way.
import { describe, expect, it } from 'vitest';
import {
  encodeServerMessage,
  jsonFromMessage,
  PROTOCOL_VERSION,
  pb,
  type RtcStats,
  statsFromMessage,
  statsListFromMessage,
  statsListToMessage,
  statsToMessage,
} from '../src/index.js';

const through = (m: pb.Stats): pb.Stats => pb.Stats.decode(pb.Stats.encode(m).finish());

/** A simulcast stream's stats as mediasoup 3.8.4 reports them (RtpStreamRecv::FillJsonStats). */
const inbound = (): RtcStats => ({
  type: 'inbound-rtp',
  timestamp: 1_700_000_000_000,
  ssrc: 4029101,
  kind: 'video',
  mimeType: 'video/VP8',
  packetsLost: 0,
  score: 10,
  jitter: 12,
  packetCount: 9000,
  byteCount: 9_876_543,
  bitrate: 450_000,
  bitrateByLayer: { '0.0': 100_000, '0.1': 150_000, '0.2': 200_000, '1.0': 0, '10.2': 1.5 },
});

/** A WebRTC transport's stats with transport-cc both ways (Transport::FillJsonStats). */
const transport = (): RtcStats => ({
  type: 'webrtc-transport',
  timestamp: 5,
  transportId: 't',
  bytesReceived: 10,
  availableOutgoingBitrate: 600_000,
  rtpPacketLossReceived: 0.015625,
  rtpPacketLossSent: 0,
});

describe('stats members typed since protocol version 2', () => {
  it('bitrateByLayer travels as LayerBitrate messages, in its order, and comes back whole', () => {
    const message = statsToMessage(inbound());
    expect(message.extra).toBeUndefined();
    expect(message.bitrateByLayer).toEqual([
      { spatialLayer: 0, temporalLayer: 0, bitrate: 100_000 },
      { spatialLayer: 0, temporalLayer: 1, bitrate: 150_000 },
      { spatialLayer: 0, temporalLayer: 2, bitrate: 200_000 },
      { spatialLayer: 1, temporalLayer: 0, bitrate: 0 },
      { spatialLayer: 10, temporalLayer: 2, bitrate: 1.5 },
    ]);
    const back = statsFromMessage(through(message));
    expect(back).toStrictEqual(inbound());
    expect(Object.keys(back.bitrateByLayer as object)).toEqual([
      '0.0',
      '0.1',
      '0.2',
      '1.0',
      '10.2',
    ]);
  });

  it('the transport-cc packet losses travel in their fields', () => {
    const message = statsToMessage(transport());
    expect(message.extra).toBeUndefined();
    expect([message.rtpPacketLossReceived, message.rtpPacketLossSent]).toEqual([0.015625, 0]);
    expect(statsFromMessage(through(message))).toStrictEqual(transport());
  });

  it('a client of protocol version 1 gets them in extra, as version 1 sent them', () => {
    const list = [inbound(), transport()];
    const v1 = statsListToMessage(list, 'stats', { protocolVersion: 1 });
    for (const m of v1) {
      expect(m.bitrateByLayer).toBeUndefined();
      expect(m.rtpPacketLossReceived).toBeUndefined();
      expect(m.rtpPacketLossSent).toBeUndefined();
    }
    expect(jsonFromMessage(v1[0]!.extra)).toStrictEqual({
      bitrateByLayer: inbound().bitrateByLayer,
    });
    expect(jsonFromMessage(v1[1]!.extra)).toStrictEqual({
      rtpPacketLossReceived: 0.015625,
      rtpPacketLossSent: 0,
    });
    // Decoded by a version-1 reader: the extra members are the ones it knew.
    expect(statsListFromMessage(v1.map(through))).toStrictEqual(list);
  });

  it('a client of version 2 reads the stats of a version-1 server (extra) as well', () => {
    const old = statsToMessage(inbound(), 'stats', { protocolVersion: 1 });
    expect(statsFromMessage(through(old))).toStrictEqual(inbound());
  });

  it('the default is this package’s version, and version 2 is smaller on the wire', () => {
    expect(PROTOCOL_VERSION).toBe(2);
    const bytes = (m: pb.Stats) => pb.Stats.encode(m).finish();
    const v2 = bytes(statsToMessage(inbound(), 'stats', { protocolVersion: 2 }));
    expect(Buffer.from(bytes(statsToMessage(inbound()))).equals(Buffer.from(v2))).toBe(true);
    const v1 = bytes(statsToMessage(inbound(), 'stats', { protocolVersion: 1 }));
    expect(v2.byteLength).toBeLessThan(v1.byteLength - 40);
    // Frames too: the server's notification is built the same way.
    const frame = (protocolVersion: number) =>
      encodeServerMessage({
        notification: {
          producerStats: {
            id: 1,
            stats: statsListToMessage([inbound()], 'stats', { protocolVersion }),
          },
        },
      });
    expect(frame(2).byteLength).toBeLessThan(frame(1).byteLength);
  });

  it.each([
    ['an empty object', {}],
    ['a name that is not "<spatial>.<temporal>"', { high: 1 }],
    ['a leading zero', { '00.1': 1 }],
    ['a sign', { '+0.1': 1 }],
    ['a third part', { '0.1.2': 1 }],
    ['an index above 2^32 - 1', { '4294967296.0': 1 }],
    ['no temporal index', { '0.': 1 }],
    ['a value that is not a number', { '0.0': '100' }],
    ['an array', [100, 200]],
    ['a number', 100_000],
  ])('bitrateByLayer as %s travels in extra and comes back as it was', (_what, value) => {
    const stats: RtcStats = { type: 'inbound-rtp', timestamp: 1, ssrc: 1, bitrateByLayer: value };
    const message = statsToMessage(stats);
    expect(message.bitrateByLayer).toBeUndefined();
    expect(message.ssrc).toBe(1);
    expect(jsonFromMessage(message.extra)).toStrictEqual({ bitrateByLayer: value });
    expect(statsFromMessage(through(message))).toStrictEqual(stats);
  });

  it('reads layers of plain message objects that leave out zero indexes', () => {
    const m = {
      type: 'inbound-rtp',
      timestamp: 1,
      bitrateByLayer: [{ bitrate: 5 }, { temporalLayer: 1 }],
    };
    expect(statsFromMessage(m as unknown as pb.Stats).bitrateByLayer).toStrictEqual({
      '0.0': 5,
      '0.1': 0,
    });
  });
});
