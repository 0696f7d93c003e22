/**
 * The media engine itself: a real mediasoup 3.12.16 worker, built by
 * @x/mediasoup from the patched npm tarball. If this fails, nothing above it
 * can work.
 */
import { existsSync } from 'node:fs';
import type { types } from '@x/mediasoup';
import * as mediasoup from '@x/mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const mediaCodecs: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    },
  },
];

describe('mediasoup engine', () => {
  let worker: types.Worker;

  beforeAll(async () => {
    worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: 40000,
      rtcMaxPort: 40100,
    });
  });

  afterAll(() => {
    if (!worker.closed) worker.close();
  });

  it('is version 3.12.16 with its worker binary built in the installed package', () => {
    expect(mediasoup.version).toBe('3.12.16');
    expect(mediasoup.workerBinaryPath()).toMatch(/\/worker\/out\/Release\/mediasoup-worker$/);
    expect(existsSync(mediasoup.workerBinaryPath())).toBe(true);
    expect(worker.pid).toBeGreaterThan(0);
  });

  it('creates a router whose capabilities carry opus, VP8 and H264 with RTX for video', async () => {
    const router = await worker.createRouter({ mediaCodecs });
    const codecs = router.rtpCapabilities.codecs ?? [];

    const opus = codecs.find((c) => c.mimeType === 'audio/opus');
    expect(opus).toMatchObject({ kind: 'audio', clockRate: 48000, channels: 2 });

    for (const mimeType of ['video/VP8', 'video/H264']) {
      const media = codecs.find((c) => c.mimeType === mimeType);
      expect(media, mimeType).toBeDefined();
      const rtx = codecs.find(
        (c) => c.mimeType === 'video/rtx' && c.parameters?.apt === media?.preferredPayloadType,
      );
      expect(rtx, `RTX for ${mimeType}`).toBeDefined();
      expect(rtx?.clockRate).toBe(90000);
      expect(media?.rtcpFeedback).toEqual(
        expect.arrayContaining([
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ]),
      );
    }
    // H264 parameters keep their value types: numbers stay numbers.
    const h264 = codecs.find((c) => c.mimeType === 'video/H264');
    expect(h264?.parameters).toEqual({
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
    });
    router.close();
  });

  it('creates a WebRTC transport and a plain transport on 127.0.0.1, then closes them', async () => {
    const router = await worker.createRouter({ mediaCodecs });

    const webRtc = await router.createWebRtcTransport({
      listenIps: [{ ip: '127.0.0.1' }],
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
    });
    expect(webRtc.iceCandidates.length).toBe(2);
    for (const candidate of webRtc.iceCandidates) {
      expect(candidate.ip).toBe('127.0.0.1');
      expect(candidate.port).toBeGreaterThanOrEqual(40000);
      expect(candidate.port).toBeLessThanOrEqual(40100);
    }
    expect(new Set(webRtc.iceCandidates.map((c) => c.protocol))).toEqual(new Set(['udp', 'tcp']));
    expect(webRtc.iceParameters.usernameFragment).toMatch(/^\w+$/);
    expect(webRtc.iceParameters.password.length).toBeGreaterThanOrEqual(22);
    expect(webRtc.iceState).toBe('new');
    expect(webRtc.dtlsState).toBe('new');
    const algorithms = webRtc.dtlsParameters.fingerprints.map((f) => f.algorithm);
    expect(algorithms).toEqual(expect.arrayContaining(['sha-1', 'sha-256', 'sha-512']));
    const sha256 = webRtc.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
    expect(sha256?.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const plain = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
    expect(plain.tuple.localIp).toBe('127.0.0.1');
    expect(plain.tuple.protocol).toBe('udp');
    expect(plain.tuple.localPort).toBeGreaterThanOrEqual(40000);
    expect(plain.tuple.localPort).toBeLessThanOrEqual(40100);
    expect(plain.rtcpTuple).toBeUndefined();

    const closed: string[] = [];
    webRtc.observer.once('close', () => closed.push('webrtc'));
    plain.observer.once('close', () => closed.push('plain'));
    router.observer.once('close', () => closed.push('router'));

    webRtc.close();
    expect(webRtc.closed).toBe(true);
    expect(closed).toEqual(['webrtc']);
    // Closing the router closes what is left on it, the plain transport first.
    router.close();
    expect(plain.closed).toBe(true);
    expect(closed).toEqual(['webrtc', 'plain', 'router']);
  });

  it('emits close on the worker when closed', async () => {
    const other = await mediasoup.createWorker({ logLevel: 'none' });
    const onClose = new Promise<void>((resolve) => other.observer.once('close', resolve));
    other.close();
    await onClose;
    expect(other.closed).toBe(true);
  });
});
