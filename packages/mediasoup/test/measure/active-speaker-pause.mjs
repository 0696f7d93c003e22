#!/usr/bin/env node
// How fast mediasoup's ActiveSpeakerObserver hands the dominant speaker over
// when the dominant one pauses (mutes), with no help from @x/server.
//
//   node test/measure/active-speaker-pause.mjs [path of an @x/mediasoup build] [runs] [steady]
//
// Two audio producers on two plain transports (comedia) of one router, each
// fed by an RTP sender whose packets carry the audio level extension
// (RFC 6464, as browsers send it; the testkit's audioLevelSender in plain
// JavaScript). A talks alone until it is the dominant speaker; then B talks
// too, for 3 s; then A's producer is paused, in three ways a muted client
// may look to the server:
//   - 'rtp-stops':  A's packets stop too (mediasoup-client's pause() with
//                   the track's sender disabled, as browsers do);
//   - 'silence':    A goes on sending, at -127 dBov (a disabled track);
//   - 'keeps-voice': A goes on sending voice (the server paused it alone);
// and, as a control, A falls silent (-127 dBov) without being paused.
// Prints, for each, the time from pause() to the 'dominantspeaker' event
// naming B (null: none within 10 s), and every event, as JSON lines.
import { createSocket } from 'node:dgram';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const target = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const runs = Number(process.argv[3] ?? 3);
// 'steady': talking is a constant -10 dBov (a test tone, as fake microphones send).
const steady = process.argv[4] === 'steady';
const mediasoup = await import(pathToFileURL(resolve(target, 'dist/index.mjs')).href);

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Talking is a level that changes at every packet (10 to 45 dBov below full
 * scale, as syllables come and go), or with 'steady' a constant -10 dBov:
 * the observer takes a steady level for background noise. Silence is -127
 * dBov.
 */
function sender({ port, ssrc, talking }) {
  const socket = createSocket('udp4');
  let talks = talking;
  let sending = true;
  let seq = 1000;
  let ts = 0;
  const timer = setInterval(() => {
    if (!sending) return;
    const p = Buffer.alloc(40);
    p[0] = 0x90;
    p[1] = 100;
    p.writeUInt16BE(seq, 2);
    p.writeUInt32BE(ts >>> 0, 4);
    p.writeUInt32BE(ssrc, 8);
    p.writeUInt16BE(0xbede, 12);
    p.writeUInt16BE(1, 14);
    p[16] = 10 << 4;
    const level = talks ? (steady ? 10 : 10 + Math.floor(Math.random() * 36)) : 127;
    p[17] = (talks ? 0x80 : 0) | level;
    p.fill(0xf8, 20);
    socket.send(p, port, '127.0.0.1');
    seq = (seq + 1) & 0xffff;
    ts = (ts + 960) >>> 0;
  }, 20);
  return {
    talk(on) {
      talks = on;
    },
    stop() {
      sending = false;
    },
    close() {
      clearInterval(timer);
      socket.close();
    },
  };
}

const rtpParameters = (ssrc) => ({
  codecs: [
    { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, rtcpFeedback: [] },
  ],
  headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: 10 }],
  encodings: [{ ssrc }],
});

async function once(worker, mode) {
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const observer = await router.createActiveSpeakerObserver({ interval: 300 });
  const events = [];
  const t0 = performance.now();
  observer.on('dominantspeaker', ({ producer }) =>
    events.push({ at: performance.now() - t0, id: producer.id }),
  );
  const peers = [];
  for (const [name, ssrc] of [
    ['A', 11111111],
    ['B', 22222222],
  ]) {
    const transport = await router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: true,
    });
    const producer = await transport.produce({ kind: 'audio', rtpParameters: rtpParameters(ssrc) });
    await observer.addProducer({ producerId: producer.id });
    const s = sender({ port: transport.tuple.localPort, ssrc, talking: name === 'A' });
    peers.push({ name, producer, sender: s });
  }
  const [A, B] = peers;
  const current = () => events.at(-1)?.id;
  /** Resolves with the ms until `id` is the dominant speaker, or undefined after `ms`. */
  const until = async (id, ms) => {
    const start = performance.now();
    while (performance.now() - start < ms) {
      if (current() === id) return Math.round(performance.now() - start);
      await sleep(10);
    }
    return undefined;
  };
  const aDominant = await until(A.producer.id, 10_000);
  B.sender.talk(true);
  await sleep(3000);
  const stillA = current() === A.producer.id;
  if (mode === 'rtp-stops') A.sender.stop();
  if (mode === 'silence' || mode === 'control: silent, not paused') A.sender.talk(false);
  if (mode !== 'control: silent, not paused') await A.producer.pause();
  const handover = await until(B.producer.id, 10_000);
  for (const p of peers) p.sender.close();
  router.close();
  return {
    mode,
    aDominantAfterMs: aDominant ?? null,
    aStillDominantWhenPaused: stillA,
    handoverToBAfterPauseMs: handover ?? null,
    events: events
      .map((e) => `${Math.round(e.at)}:${e.id === A.producer.id ? 'A' : 'B'}`)
      .join(' '),
  };
}

const worker = await mediasoup.createWorker({ logLevel: 'warn' });
console.log(
  JSON.stringify({
    mediasoup: mediasoup.version,
    worker: mediasoup.workerBinaryPath(),
    talking: steady ? 'steady -10 dBov' : 'speech-like, -10 to -45 dBov',
  }),
);
for (let i = 0; i < runs; i++)
  for (const mode of ['rtp-stops', 'silence', 'keeps-voice', 'control: silent, not paused'])
    console.log(JSON.stringify(await once(worker, mode)));
worker.close();
