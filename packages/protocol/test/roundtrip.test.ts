import type { types as ms } from '@x/mediasoup';
import type { types as msc } from 'mediasoup-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type JsonValue,
  jsonFromMessage,
  jsonToMessage,
  pb,
  type RtpCapabilities,
  type RtpParameters,
  rtpCapabilitiesFromMessage,
  rtpCapabilitiesToMessage,
  rtpParametersFromMessage,
  rtpParametersToMessage,
} from '../src/index.js';
import { allSupportedMediaCodecs, type EngineValues, engineValues } from './engines.js';

/** engine type → message → bytes → message → engine type */
function roundTripCapabilities(caps: RtpCapabilities): RtpCapabilities {
  const bytes = pb.RtpCapabilities.encode(rtpCapabilitiesToMessage(caps)).finish();
  return rtpCapabilitiesFromMessage(pb.RtpCapabilities.decode(bytes));
}

function roundTripParameters(params: RtpParameters): RtpParameters {
  const bytes = pb.RtpParameters.encode(rtpParametersToMessage(params)).finish();
  return rtpParametersFromMessage(pb.RtpParameters.decode(bytes));
}

/** Every leaf of a value with its typeof, so that a number turned string (or back) fails. */
function leafTypes(value: unknown, path = '$'): string[] {
  if (value === null || typeof value !== 'object')
    return [`${path}:${value === null ? 'null' : typeof value}`];
  return Object.entries(value)
    .flatMap(([k, v]) => leafTypes(v, `${path}.${k}`))
    .sort();
}

describe('round trip of real engine values', () => {
  let engine: EngineValues;

  beforeAll(async () => {
    engine = await engineValues();
  });
  afterAll(() => engine.close());

  it('uses a router with every codec mediasoup 3.12.16 supports', () => {
    const mimeTypes = new Set(
      engine.routerRtpCapabilities.codecs?.map((c) => `${c.mimeType}/${c.clockRate}`),
    );
    for (const codec of allSupportedMediaCodecs())
      expect(mimeTypes).toContain(`${codec.mimeType}/${codec.clockRate}`);
    expect(engine.routerRtpCapabilities.codecs?.length).toBeGreaterThan(25);
  });

  it('router rtpCapabilities come back deep-equal, value types included', () => {
    const caps = engine.routerRtpCapabilities;
    const back = roundTripCapabilities(caps as RtpCapabilities);
    expect(back).toStrictEqual(caps);
    expect(leafTypes(back)).toEqual(leafTypes(caps));
    // The H264 parameters that profile matching depends on keep their types
    // (mediasoup 3.12's H264 capability has only level-asymmetry-allowed; 3.8.4's
    // had packetization-mode too).
    const h264 = back.codecs?.find((c) => c.mimeType === 'video/H264');
    expect(typeof h264?.parameters?.['level-asymmetry-allowed']).toBe('number');
    const multiopus = back.codecs?.find((c) => c.mimeType === 'audio/multiopus');
    expect(typeof multiopus?.parameters?.channel_mapping).toBe('string');
    // And the result is what mediasoup takes.
    const typed: ms.RtpCapabilities = back as ms.RtpCapabilities;
    expect(typed.codecs?.length).toBe(caps.codecs?.length);
  });

  it('mediasoup-client device rtpCapabilities come back deep-equal', () => {
    const caps = engine.deviceRtpCapabilities;
    const back = roundTripCapabilities(caps as RtpCapabilities);
    expect(back).toStrictEqual(caps);
    expect(leafTypes(back)).toEqual(leafTypes(caps));
  });

  for (const name of ['audio', 'video', 'simulcast'] as const) {
    it(`mediasoup-client ${name} rtpParameters come back deep-equal`, () => {
      const params = engine[name];
      const back = roundTripParameters(params as RtpParameters);
      expect(back).toStrictEqual(params);
      expect(leafTypes(back)).toEqual(leafTypes(params));
      const typed: msc.RtpParameters = back as msc.RtpParameters;
      expect(typed.codecs.length).toBe(params.codecs.length);
    });
  }

  it('simulcast parameters keep three encodings with their SSRCs, RTX and bitrates', () => {
    const back = roundTripParameters(engine.simulcast as RtpParameters);
    expect(back.encodings?.map((e) => e.maxBitrate)).toEqual([100000, 300000, 1500000]);
    for (const e of back.encodings ?? []) {
      expect(e.ssrc).toBeGreaterThan(0);
      expect(e.rtx?.ssrc).toBeGreaterThan(0);
    }
  });

  it('a mediasoup consumer rtpParameters come back deep-equal', () => {
    const params = engine.consumer;
    const back = roundTripParameters(params as RtpParameters);
    expect(back).toStrictEqual(params);
    expect(leafTypes(back)).toEqual(leafTypes(params));
  });

  it('keeps presence: absent optionals stay absent, present falsy values stay', () => {
    const params: RtpParameters = {
      codecs: [
        {
          mimeType: 'audio/PCMU',
          payloadType: 0,
          clockRate: 8000,
          parameters: {},
          rtcpFeedback: [{ type: 'nack', parameter: '' }],
        },
      ],
      headerExtensions: [],
      encodings: [
        {
          ssrc: 0,
          dtx: false,
          maxBitrate: 0,
          rid: '',
          scaleResolutionDownBy: 1.5,
          priority: 'very-low',
        },
      ],
      rtcp: { reducedSize: false },
    };
    expect(roundTripParameters(params)).toStrictEqual(params);
  });
});

describe('appData round trip', () => {
  const values: JsonValue[] = [
    null,
    true,
    false,
    0,
    -0,
    1.5,
    -1e300,
    Number.MAX_SAFE_INTEGER,
    '',
    'héllo ✓ 🎥',
    [],
    {},
    [1, 'two', null, [3, { four: 4 }]],
    {
      displayName: 'Alice',
      device: { camera: true, mic: false },
      tags: ['a', 'b'],
      score: 0.25,
      none: null,
    },
    JSON.parse('{"__proto__": "data", "constructor": 1}') as JsonValue,
  ];
  for (const value of values) {
    it(`carries ${JSON.stringify(value)}`, () => {
      const bytes = pb.JsonValue.encode(jsonToMessage(value)).finish();
      const back = jsonFromMessage(pb.JsonValue.decode(bytes));
      expect(back).toStrictEqual(value);
      if (value !== null && typeof value === 'object')
        expect(Object.keys(back as object)).toEqual(Object.keys(value));
    });
  }

  it('keeps object key order', () => {
    const value = { z: 1, a: 2, m: { y: 1, b: 2 } };
    const back = jsonFromMessage(
      pb.JsonValue.decode(pb.JsonValue.encode(jsonToMessage(value)).finish()),
    );
    expect(JSON.stringify(back)).toBe(JSON.stringify(value));
  });
});
