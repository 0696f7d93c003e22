import { describe, expect, it } from 'vitest';
import {
  dtlsParametersFromMessage,
  dtlsParametersToMessage,
  iceCandidateFromMessage,
  iceCandidateToMessage,
  iceParametersFromMessage,
  iceParametersToMessage,
  jsonToMessage,
  MAX_JSON_DEPTH,
  mediaKind,
  ProtocolError,
  pb,
  plainRtpParametersFromMessage,
  plainRtpParametersToMessage,
  profile,
  type RtcStats,
  type RtpParameters,
  rtpCapabilitiesFromMessage,
  rtpParametersToMessage,
  sctpParametersFromMessage,
  sctpParametersToMessage,
  sctpStreamParametersFromMessage,
  sctpStreamParametersToMessage,
  statsFromMessage,
  statsToMessage,
} from '../src/index.js';
import { reflection } from './vectors.js';

function through<T extends { encode(m: M): { finish(): Uint8Array }; decode(b: Uint8Array): M }, M>(
  type: T,
  message: M,
): M {
  return type.decode(type.encode(message).finish());
}

function protocolError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}

describe('transport conversions', () => {
  it('ICE parameters and candidates of mediasoup and mediasoup-client round-trip', () => {
    const ice = { usernameFragment: 'abc', password: 'secret', iceLite: true };
    expect(
      iceParametersFromMessage(through(pb.IceParameters, iceParametersToMessage(ice))),
    ).toStrictEqual(ice);

    const fromServer = {
      foundation: 'udpcandidate',
      priority: 1076302079,
      ip: '127.0.0.1',
      protocol: 'udp' as const,
      port: 40001,
      type: 'host' as const,
    };
    const back = iceCandidateFromMessage(
      through(pb.IceCandidate, iceCandidateToMessage(fromServer)),
    );
    // mediasoup-client needs `address`; mediasoup's `ip` stays.
    expect(back).toStrictEqual({ ...fromServer, address: '127.0.0.1' });

    const tcp = {
      ...fromServer,
      protocol: 'tcp' as const,
      tcpType: 'passive' as const,
      address: 'sfu.example.com',
    };
    expect(
      iceCandidateFromMessage(through(pb.IceCandidate, iceCandidateToMessage(tcp))),
    ).toStrictEqual(tcp);
  });

  it('DTLS parameters round-trip, with and without a role', () => {
    const dtls = {
      role: 'client' as const,
      fingerprints: [
        { algorithm: 'sha-256', value: 'AB:CD' },
        { algorithm: 'sha-512', value: 'EF' },
      ],
    };
    expect(
      dtlsParametersFromMessage(through(pb.DtlsParameters, dtlsParametersToMessage(dtls))),
    ).toStrictEqual(dtls);
    const noRole = { fingerprints: [{ algorithm: 'sha-1', value: '00' }] };
    expect(
      dtlsParametersFromMessage(through(pb.DtlsParameters, dtlsParametersToMessage(noRole))),
    ).toStrictEqual(noRole);
  });

  it('refuses DTLS parameters without fingerprints', () => {
    const error = protocolError(() => dtlsParametersFromMessage(pb.DtlsParameters.create({})));
    expect(error.code).toBe('INVALID_FIELD');
    expect(error.field).toBe('dtlsParameters.fingerprints');
    expect(protocolError(() => dtlsParametersFromMessage(null)).field).toBe('dtlsParameters');
  });

  it('SCTP and plain RTP parameters round-trip', () => {
    const sctp = { port: 5000, OS: 1024, MIS: 1024, maxMessageSize: 262144 };
    expect(
      sctpParametersFromMessage(through(pb.SctpParameters, sctpParametersToMessage(sctp))),
    ).toStrictEqual(sctp);
    for (const stream of [
      { streamId: 0, ordered: true },
      { streamId: 7, ordered: false, maxRetransmits: 3 },
      { streamId: 65534, ordered: false, maxPacketLifeTime: 1000 },
    ])
      expect(
        sctpStreamParametersFromMessage(
          through(pb.SctpStreamParameters, sctpStreamParametersToMessage(stream)),
        ),
      ).toStrictEqual(stream);
    // What the media server cannot forward as asked is refused, naming the field.
    for (const bad of [
      { streamId: 65535 },
      { streamId: 1, maxRetransmits: 2, maxPacketLifeTime: 100 },
      // mediasoup 3.12 reads 0 as unset: the channel would silently be reliable.
      { streamId: 1, maxRetransmits: 0 },
    ]) {
      const error = protocolError(() =>
        sctpStreamParametersFromMessage(pb.SctpStreamParameters.create(bad)),
      );
      expect(error.code).toBe('INVALID_FIELD');
      expect(error.field).toMatch(/^sctpStreamParameters/);
    }
    expect(protocolError(() => sctpStreamParametersFromMessage(null)).field).toBe(
      'sctpStreamParameters',
    );
    const plain = { ip: '::1', ipVersion: 6 as const, port: 5004, rtcpPort: 5005 };
    expect(
      plainRtpParametersFromMessage(
        through(pb.PlainRtpParameters, plainRtpParametersToMessage(plain)),
      ),
    ).toStrictEqual(plain);
    expect(
      protocolError(() =>
        plainRtpParametersFromMessage(
          pb.PlainRtpParameters.create({ ip: '1.2.3.4', ipVersion: 5 }),
        ),
      ).code,
    ).toBe('INVALID_FIELD');
  });
});

describe('stats conversions', () => {
  it('carries producer, consumer and transport stats whole, unknown members included', () => {
    const list: RtcStats[] = [
      {
        type: 'inbound-rtp',
        timestamp: 123456789,
        ssrc: 4029101,
        rtxSsrc: 6332331,
        rid: 'r0',
        kind: 'video',
        mimeType: 'video/VP8',
        packetsLost: 0,
        fractionLost: 0,
        packetsDiscarded: 0,
        packetsRetransmitted: 2,
        packetsRepaired: 1,
        nackCount: 1,
        nackPacketCount: 2,
        pliCount: 1,
        firCount: 0,
        score: 10,
        packetCount: 9000,
        byteCount: 9_876_543_210,
        bitrate: 1_450_000,
        jitter: 12,
        bitrateByLayer: { '0.0': 100000, '0.1': 150000 },
      },
      {
        type: 'webrtc-transport',
        timestamp: 1,
        transportId: 'f00',
        bytesReceived: 10,
        recvBitrate: 0,
        bytesSent: 20,
        sendBitrate: 0,
        iceRole: 'controlled',
        iceState: 'completed',
        dtlsState: 'connected',
        iceSelectedTuple: {
          localIp: '127.0.0.1',
          localPort: 40000,
          remoteIp: '127.0.0.1',
          remotePort: 50000,
          protocol: 'udp',
        },
        availableOutgoingBitrate: 600000,
      },
      {
        type: 'plain-rtp-transport',
        timestamp: 2,
        transportId: 'bar',
        rtcpMux: true,
        comedia: false,
        tuple: { localIp: '0.0.0.0', localPort: 1, protocol: 'udp' },
        futureMember: [1, 'x'],
      },
    ];
    for (const stats of list) {
      expect(statsFromMessage(through(pb.Stats, statsToMessage(stats)))).toStrictEqual(stats);
    }
  });

  // The conversions copy each typed member by name: this catches a field of
  // the schema that one of them forgets (it would travel in `extra`, or not
  // come back).
  it('copies every field of the Stats message, both ways', () => {
    const fields = reflection().lookupType('x.signaling.v1.Stats').fieldsArray;
    const value = (type: string): unknown =>
      ({
        double: 1.5,
        uint32: 7,
        string: 's',
        bool: true,
        TransportTuple: { localIp: '10.0.0.1', localPort: 1, protocol: 'tcp' },
        LayerBitrate: { '0.0': 1.5, '2.1': 3 },
      })[type];
    const stats: RtcStats = { type: 'all', timestamp: 1 };
    for (const f of fields) {
      if (f.name === 'type' || f.name === 'timestamp' || f.name === 'extra') continue;
      expect(value(f.type), `a value for ${f.type}`).toBeDefined();
      stats[f.name] = value(f.type);
    }
    expect(Object.keys(stats)).toHaveLength(fields.length - 1);
    const message = statsToMessage(stats);
    expect(message.extra, 'nothing typed goes into extra').toBeUndefined();
    expect(Object.keys(message).sort()).toEqual(Object.keys(stats).sort());
    expect(statsFromMessage(through(pb.Stats, message))).toStrictEqual(stats);
  });

  it('sends a typed member of another type, and what follows it, in extra, in order', () => {
    const stats: RtcStats = {
      type: 'x',
      timestamp: 2,
      later: 1,
      ssrc: -1,
      score: 'high',
      rid: 'r',
    };
    const message = statsToMessage(stats);
    expect(message.ssrc).toBeUndefined();
    expect(message.rid).toBe('r');
    const back = statsFromMessage(through(pb.Stats, message));
    expect(back).toStrictEqual(stats);
    expect(Object.keys(back)).toEqual(['type', 'timestamp', 'rid', 'later', 'ssrc', 'score']);
  });
});

describe('bad input becomes a ProtocolError naming the field', () => {
  it('an unknown media kind', () => {
    const error = protocolError(() => mediaKind.toMessage('text' as 'audio', 'kind'));
    expect(error.code).toBe('INVALID_FIELD');
    expect(error.message).toContain("'audio', 'video'");
  });

  it('an UNSPECIFIED enum in a decoded message', () => {
    const caps = pb.RtpCapabilities.create({
      codecs: [{ mimeType: 'audio/opus', clockRate: 48000 }],
    });
    const error = protocolError(() =>
      rtpCapabilitiesFromMessage(through(pb.RtpCapabilities, caps)),
    );
    expect(error.field).toBe('rtpCapabilities.codecs[0].kind');
    expect(protocolError(() => profile.fromMessage(0, 'preferredProfile')).field).toBe(
      'preferredProfile',
    );
  });

  it('a string where a payload type must be a number', () => {
    const params = {
      codecs: [{ mimeType: 'video/VP8', payloadType: '96', clockRate: 90000 }],
    } as unknown as RtpParameters;
    const error = protocolError(() => rtpParametersToMessage(params));
    expect(error.field).toBe('rtpParameters.codecs[0].payloadType');
  });

  it('appData that JSON cannot carry', () => {
    expect(protocolError(() => jsonToMessage({ f: () => 1, n: Number.NaN })).code).toBe('NOT_JSON');
    expect(protocolError(() => jsonToMessage({ big: 1n })).field).toBe('appData.big');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(protocolError(() => jsonToMessage(cyclic)).message).toContain(
      `deeper than ${MAX_JSON_DEPTH}`,
    );
    // Like JSON.stringify: undefined members are left out, functions in arrays become null, toJSON is used.
    const m = jsonToMessage({ a: undefined, b: [undefined], d: new Date(0) });
    expect(m.objectValue?.members.map((x) => x.key)).toEqual(['b', 'd']);
    expect(m.objectValue?.members[1]?.value?.stringValue).toBe('1970-01-01T00:00:00.000Z');
  });
});
