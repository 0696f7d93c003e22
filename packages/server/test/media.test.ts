// Real media end to end on the server: ffmpeg sends a VP8 test pattern and an
// opus tone into a room (RTP ingest); RtpStreamers deliver it to UDP sockets
// of the test and to ffmpeg recorders; ffprobe checks the files.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pb } from '@x/protocol';
import { ffmpegSender, ProtocolClient, probe, requireBinary, rtpSink, sleep } from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder, type Room, type RtpIngest, rtpStreamerSdp } from '../src/index.js';
import { startServer, type TestServer } from './helpers/fixtures.js';

const RANGE = { rtcMinPort: 44000, rtcMaxPort: 44999 };
let t: TestServer;
let room: Room;
let video: RtpIngest;
let audio: RtpIngest;
let sender: ChildProcess;
const dir = mkdtempSync(join(tmpdir(), 'x-media-test-'));

beforeAll(async () => {
  requireBinary('ffmpeg', 'ffmpeg');
  t = await startServer(RANGE);
  room = await t.server.createRoom({ id: 'media' });
  video = await room.createRtpIngest({
    peerName: 'camera',
    kind: 'video',
    codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
    ssrc: 1111,
    appData: { source: 'testsrc' },
  });
  audio = await room.createRtpIngest({
    peerName: 'camera',
    kind: 'audio',
    codec: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 },
    ssrc: 2222,
  });
  sender = ffmpegSender({
    video: { url: video.url, payloadType: 101, ssrc: 1111 },
    audio: { url: audio.url, payloadType: 100, ssrc: 2222 },
  });
  // Wait until the producer gets RTP (ffmpeg takes a moment to start).
  for (let i = 0; i < 100; i++) {
    if (Number((await video.producer.getStats())[0]?.packetCount ?? 0) > 30) return;
    await sleep(100);
  }
  throw new Error('the ingest producer got no RTP from ffmpeg within 10 s');
});

afterAll(async () => {
  sender?.kill('SIGKILL');
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RTP ingest', () => {
  it('brings ffmpeg RTP into the room as producers of a server-side peer', async () => {
    expect(video.peer.name).toBe('camera');
    expect(audio.peer).toBe(video.peer);
    expect(video.localIP).toBe('127.0.0.1');
    expect(video.localPort).toBeGreaterThanOrEqual(RANGE.rtcMinPort);
    const stats = await video.producer.getStats();
    expect(stats[0]).toMatchObject({ type: 'inbound-rtp', ssrc: 1111, mimeType: 'video/VP8' });
    expect((await audio.producer.getStats())[0]?.packetCount).toBeGreaterThan(10);
  });

  it('peers consume it like any other producer', async () => {
    const client = await ProtocolClient.connect(t.url('media'));
    const joined = await client.join('viewer', room.rtpCapabilities);
    const camera = joined.peers.find((p) => p.name === 'camera');
    expect(camera?.consumers.map((c) => c.kind).sort()).toEqual([
      pb.MediaKind.MEDIA_KIND_AUDIO,
      pb.MediaKind.MEDIA_KIND_VIDEO,
    ]);
    const videoConsumer = camera!.consumers.find((c) => c.kind === pb.MediaKind.MEDIA_KIND_VIDEO)!;
    expect(videoConsumer.supported).toBe(true);
    expect(videoConsumer.appData?.objectValue?.members[0]?.value?.stringValue).toBe('testsrc');
    await client.ok(
      { createTransport: { id: 1, direction: pb.TransportDirection.TRANSPORT_DIRECTION_RECV } },
      'createTransport',
    );
    const enabled = await client.ok(
      { enableConsumer: { id: videoConsumer.id, transportId: 1 } },
      'enableConsumer',
    );
    expect(enabled.rtpParameters?.codecs[0]?.mimeType).toBe('video/VP8');
    client.close();
  });
});

describe('RtpStreamer', () => {
  it('delivers the producer RTP to a UDP socket with the SSRC and payload type of its consumer; close() stops it, once', async () => {
    const sink = await rtpSink();
    const plisBefore = (await video.producer.getStats())[0]!.pliCount as number;
    const streamer = await room.createRtpStreamer(video.producer, {
      remoteIP: '127.0.0.1',
      remotePort: sink.port,
    });
    // A key frame is asked for as it starts: a PLI goes to the sender.
    await expect
      .poll(async () => (await video.producer.getStats())[0]!.pliCount as number)
      .toBeGreaterThan(plisBefore);
    let closes = 0;
    streamer.on('close', () => closes++);
    // Delivery starts at the sender's next key frame (ffmpeg sends one a second, PLI or not).
    await expect.poll(() => sink.packets.length, { timeout: 10_000 }).toBeGreaterThan(40);
    const params = streamer.consumer.rtpParameters!;
    const ssrc = params.encodings![0]!.ssrc;
    const payloadType = params.codecs[0]!.payloadType;
    expect(new Set(sink.packets.map((p) => p.ssrc))).toEqual(new Set([ssrc]));
    expect(new Set(sink.packets.map((p) => p.payloadType))).toEqual(new Set([payloadType]));
    expect(streamer.consumer.peer).toBeUndefined();
    expect(streamer.transport.tuple.remotePort).toBe(sink.port);

    streamer.close();
    streamer.close();
    expect(closes).toBe(1);
    expect(streamer.consumer.closed).toBe(true);
    expect(streamer.transport.closed).toBe(true);
    await sleep(200);
    const count = sink.packets.length;
    await sleep(1000);
    expect(sink.packets.length).toBe(count);
    sink.close();
  });

  it('binds a port inside rtcMinPort–rtcMaxPort without localIP, outside with it', async () => {
    const inside = await room.createRtpStreamer(video.producer, {
      remoteIP: '127.0.0.1',
      remotePort: 9,
    });
    expect(inside.transport.localIP).toBe('127.0.0.1');
    expect(inside.transport.localPort).toBeGreaterThanOrEqual(RANGE.rtcMinPort);
    expect(inside.transport.localPort).toBeLessThanOrEqual(RANGE.rtcMaxPort);

    const sink = await rtpSink();
    const outside = await room.createRtpStreamer(video.producer, {
      remoteIP: '127.0.0.1',
      remotePort: sink.port,
      localIP: '127.0.0.1',
    });
    const port = outside.transport.localPort;
    expect(port < RANGE.rtcMinPort || port > RANGE.rtcMaxPort).toBe(true);
    // It works there too (the producer is piped to a router on a worker outside the range).
    await expect.poll(() => sink.packets.length, { timeout: 5000 }).toBeGreaterThan(10);
    inside.close();
    outside.close();
    sink.close();
  });

  it('closes itself when its producer closes; refuses a producer of another room', async () => {
    const other = await room.createRtpIngest({
      peerName: 'other-cam',
      kind: 'video',
      codec: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 },
      ssrc: 3333,
    });
    const streamer = await room.createRtpStreamer(other.producer, {
      remoteIP: '127.0.0.1',
      remotePort: 9,
    });
    let closes = 0;
    streamer.on('close', () => closes++);
    other.producer.close();
    expect(closes).toBe(1);
    expect(streamer.closed).toBe(true);
    other.close();
    expect(other.peer.closed).toBe(true);

    const otherRoom = await t.server.createRoom({ id: 'elsewhere' });
    await expect(
      otherRoom.createRtpStreamer(video.producer, { remoteIP: '127.0.0.1', remotePort: 9 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Producer not found',
    });
    await expect(
      room.createRtpStreamer(video.producer, { remoteIP: 'nowhere', remotePort: 9 }),
    ).rejects.toThrow(/remoteIP must be an IP/);
    otherRoom.close();
  });

  it('ffmpeg records 5 s from the generated SDP; ffprobe finds at least 4 s of decoded video', async () => {
    const port = 45000;
    const streamer = await room.createRtpStreamer(video.producer, {
      remoteIP: '127.0.0.1',
      remotePort: port,
      rtcpMux: false,
      paused: true,
    });
    const sdp = rtpStreamerSdp([streamer]);
    expect(sdp).toContain(
      `m=video ${port} RTP/AVP ${streamer.consumer.rtpParameters!.codecs[0]!.payloadType}`,
    );
    expect(sdp).toContain('a=rtpmap:101 VP8/90000');
    const sdpFile = join(dir, 'video.sdp');
    writeFileSync(sdpFile, sdp);
    const file = join(dir, 'sdp.webm');
    const recorder = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-protocol_whitelist',
        'file,udp,rtp',
        '-i',
        sdpFile,
        '-c',
        'copy',
        '-y',
        file,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    await sleep(500); // ffmpeg opens its port
    streamer.consumer.resume();
    await sleep(5500);
    recorder.kill('SIGINT');
    await new Promise((r) => recorder.once('exit', r));
    streamer.close();
    const info = probe(file);
    const v = info.streams.find((s) => s.codec_type === 'video');
    expect(v?.codec_name).toBe('vp8');
    expect(info.format.duration).toBeGreaterThanOrEqual(4);
    expect(v?.nb_read_frames).toBeGreaterThanOrEqual(4 * 25);
  });

  it('Recorder records audio and video together into a WebM file', async () => {
    const file = join(dir, 'recorder.webm');
    const recorder = await Recorder.start({
      room,
      producers: [video.producer, audio.producer],
      file,
    });
    expect(recorder.streamers.every((s) => !s.consumer.paused)).toBe(true);
    await sleep(3000);
    const result = await recorder.stop();
    expect(result.exitCode).toBe(0);
    expect(recorder.streamers.every((s) => s.closed)).toBe(true);
    const info = probe(file);
    expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
    expect(info.format.duration).toBeGreaterThanOrEqual(2);
    expect(
      info.streams.find((s) => s.codec_type === 'video')!.nb_read_frames,
    ).toBeGreaterThanOrEqual(50);
    await expect(
      Recorder.start({ room, producers: [video.producer], file: join(dir, 'x.avi') }),
    ).rejects.toThrow(/\.webm, \.mkv or \.mp4/);
  });
});
