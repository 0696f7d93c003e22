// Real engine values for the tests: a mediasoup 3.12.16 router with every codec
// it supports, and RTP parameters mediasoup-client produces with its FakeHandler.

import type { types as ms } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import type { types as msc } from 'mediasoup-client';
import { Device, FakeHandler, testFakeParameters } from 'mediasoup-client';

/** Every codec of mediasoup 3.12.16's supportedRtpCapabilities that one router can hold. */
export function allSupportedMediaCodecs(): ms.RtpCodecCapability[] {
  const supportedRtpCapabilities = mediasoup.getSupportedRtpCapabilities();
  // audio/CN has one static payload type (13) for its three clock rates, and a
  // router refuses duplicated payload types: keep one of them.
  return (supportedRtpCapabilities.codecs ?? []).filter(
    (c) => !(c.mimeType === 'audio/CN' && c.clockRate !== 32000),
  );
}

export interface EngineValues {
  routerRtpCapabilities: ms.RtpCapabilities;
  deviceRtpCapabilities: msc.RtpCapabilities;
  audio: msc.RtpParameters;
  video: msc.RtpParameters;
  simulcast: msc.RtpParameters;
  consumer: ms.RtpParameters;
  close(): void;
}

export async function engineValues(): Promise<EngineValues> {
  const worker = await mediasoup.createWorker({ logLevel: 'none' });
  const router = await worker.createRouter({ mediaCodecs: allSupportedMediaCodecs() });
  const device = new Device({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
  await device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });

  const transport = device.createSendTransport({
    id: 'fake',
    iceParameters: { usernameFragment: 'u', password: 'p' },
    iceCandidates: [],
    dtlsParameters: { role: 'auto', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] },
  });
  const produced: msc.RtpParameters[] = [];
  transport.on('connect', (_params, callback) => callback());
  transport.on('produce', ({ rtpParameters }, callback) => {
    produced.push(rtpParameters);
    callback({ id: String(produced.length) });
  });
  await transport.produce({ track: new FakeMediaStreamTrack({ kind: 'audio' }) });
  await transport.produce({ track: new FakeMediaStreamTrack({ kind: 'video' }) });
  await transport.produce({
    track: new FakeMediaStreamTrack({ kind: 'video' }),
    encodings: [{ maxBitrate: 100000 }, { maxBitrate: 300000 }, { maxBitrate: 1500000 }],
  });

  // A consumer's RTP parameters, as the server sends them to a client.
  const plain = await router.createPlainTransport({ listenIp: '127.0.0.1' });
  const producer = await plain.produce({
    kind: 'video',
    rtpParameters: produced[2] as ms.RtpParameters,
  });
  const consumer = await plain.consume({
    producerId: producer.id,
    rtpCapabilities: router.rtpCapabilities,
  });

  const [audio, video, simulcast] = produced as [
    msc.RtpParameters,
    msc.RtpParameters,
    msc.RtpParameters,
  ];
  return {
    routerRtpCapabilities: router.rtpCapabilities,
    deviceRtpCapabilities: device.rtpCapabilities,
    audio,
    video,
    simulcast,
    consumer: consumer.rtpParameters,
    close: () => worker.close(),
  };
}
