// The cluster's private links, as an observer on the path sees them: a Redis
// that wants a password and speaks TLS only (rediss://, a CA of the test's
// own through NODE_EXTRA_CA_CERTS), and media between nodes in SRTP: the RTP
// payload that enters node A in clear is nowhere in what A sends B (tcpdump
// on the loopback), yet B forwards it intact. A node set to plain pipes is
// refused by the others, naming the option.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  captureUdp,
  ownTempDir,
  type RtpSink,
  requireBinary,
  rtpPacer,
  rtpSink,
  sleep,
} from '@x/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeProcess,
  type RedisProcess,
  startNode,
  startRedis,
  streamOnceKnown,
} from '../src/harness.js';

const ROOM = 'secure';
const A = '127.0.0.9';
const B = '127.0.0.10';
const C = '127.0.0.11';
const PASSWORD = 'redis-password-of-the-test';
const MARKER = Buffer.from('PLAINTEXT-MARKER-OF-THE-SRTP-TEST');
let redis: RedisProcess;
let a: NodeProcess;
let b: NodeProcess;
let c: NodeProcess | undefined;
let ca: string;
const sinks: RtpSink[] = [];

beforeAll(async () => {
  requireBinary('openssl', 'openssl');
  const dir = ownTempDir('x-redis-tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'ready'), '');
  ca = certFile;
  redis = await startRedis({ password: PASSWORD, tls: { certFile, keyFile } });
  const env = { NODE_EXTRA_CA_CERTS: ca };
  a = await startNode({ id: 'sa', ip: A, redis: redis.url, rtcMinPort: 49000, env });
  b = await startNode({ id: 'sb', ip: B, redis: redis.url, rtcMinPort: 50000, env });
});

afterAll(async () => {
  for (const sink of sinks) sink.close();
  await Promise.all([a, b, c].filter(Boolean).map((n) => n!.kill('SIGKILL')));
  await redis?.stop();
});

/** The payload of the test's RTP: MARKER, padded. */
const PAYLOAD = Buffer.concat([MARKER, Buffer.alloc(40, 7)]);

describe('a cluster on rediss:// with a password, its pipes in SRTP', () => {
  it('the URL says rediss:// with the password, and the nodes joined through it', async () => {
    expect(redis.url).toMatch(/^rediss:\/\/:redis-password-of-the-test@127\.0\.0\.1:\d+$/);
    await expect
      .poll(async () => (await a.call<{ id: string }[]>('nodes')).map((n) => n.id).sort())
      .toEqual(['sa', 'sb']);
  });

  it('what A sends B carries no readable payload (SRTP); B forwards it intact', async () => {
    const ingest = await a.call<{ producerId: number; url: string }>('ingest', {
      room: ROOM,
      peer: 'mic',
      kind: 'audio',
      payloadType: 100,
      ssrc: 3333,
    });
    const target = new URL(ingest.url);
    const capture = await captureUdp({ iface: 'lo', filter: `udp and host ${A}` });
    const pacer = rtpPacer(ingest.url, { payloadType: 100, ssrc: 3333, payload: PAYLOAD });
    try {
      // B streams the producer to the test's socket once it knows of it;
      // that consumer is what has A pipe it to B.
      const sink = await rtpSink();
      sinks.push(sink);
      const forwarded: Buffer[] = [];
      sink.socket.on('message', (m) => forwarded.push(m));
      await streamOnceKnown(b, {
        room: ROOM,
        peer: 'mic',
        producer: ingest.producerId,
        ip: '127.0.0.1',
        port: sink.port,
      });
      await expect
        .poll(
          () =>
            b.call<number>('received', { room: ROOM, peer: 'mic', producer: ingest.producerId }),
          { timeout: 10_000 },
        )
        .toBeGreaterThan(20);
      // The capture keeps running 1.5 s more: the pipe's traffic is checked below.
      await sleep(1500);
      await expect
        .poll(() => forwarded.some((m) => m.includes(MARKER)), { timeout: 10_000 })
        .toBe(true);
    } finally {
      pacer.stop();
    }
    const datagrams = await capture.stop();
    const toIngest = datagrams.filter((d) => d.dst === A && d.dstPort === Number(target.port));
    const pipe = datagrams.filter((d) => d.src === A && d.dst === B);
    // The capture reads payloads: the plain RTP into A shows the marker...
    expect(toIngest.length).toBeGreaterThan(20);
    expect(toIngest.every((d) => d.payload.includes(MARKER))).toBe(true);
    // ...and the pipe from A to B, as busy, never does.
    expect(pipe.length).toBeGreaterThan(20);
    expect(pipe.filter((d) => d.payload.includes(MARKER))).toEqual([]);
    // SRTP keeps the RTP header and appends an authentication tag: the
    // pipe's media packets (the most common size; not RTCP) are longer than
    // what entered A.
    const sizes = new Map<number, number>();
    for (const d of pipe) sizes.set(d.payload.length, (sizes.get(d.payload.length) ?? 0) + 1);
    const [commonest] = [...sizes].sort((x, y) => y[1] - x[1])[0]!;
    expect(commonest).toBeGreaterThan(pacer.packet(1).length);
  });

  it('a node with plain pipes (pipeSrtp: false) gets no media from the others, and they say why', async () => {
    c = await startNode({
      id: 'sc',
      ip: C,
      redis: redis.url,
      rtcMinPort: 51000,
      pipeSrtp: false,
      // Its warnings on stderr, where the test reads why.
      env: { NODE_EXTRA_CA_CERTS: ca, DEBUG: 'x:*:WARN:*' },
    });
    // C opens the room (as its first client would) and sees the peer of A,
    // but the pipe of its producer is refused: C cannot stream it.
    const stream = c.call('stream', {
      room: ROOM,
      peer: 'mic',
      producer: 0,
      ip: '127.0.0.1',
      port: 9,
    });
    await expect(stream).rejects.toThrow(/no producer/);
    await expect
      .poll(
        async () =>
          (await c!.call<{ peers: { name: string }[] } | null>('room', { room: ROOM }))?.peers.map(
            (p) => p.name,
          ),
        { timeout: 10_000 },
      )
      .toContain('mic');
    await expect.poll(() => c!.log(), { timeout: 10_000 }).toMatch(/could not be piped here/);
    expect(c.log()).toMatch(
      /node sa sends SRTP pipes, this node sc plain RTP: give every node the same cluster\.pipeSrtp/,
    );
    const onC = await c.call<{ peers: { name: string; producers: unknown[] }[] }>('room', {
      room: ROOM,
    });
    expect(onC.peers.find((p) => p.name === 'mic')?.producers).toEqual([]);
  });

  it('a node given the wrong Redis password does not start, and its error hides the password', async () => {
    const wrong = redis.url.replace(PASSWORD, 'not-the-password');
    const error = await startNode({
      id: 'sd',
      ip: '127.0.0.12',
      redis: wrong,
      rtcMinPort: 52000,
      env: { NODE_EXTRA_CA_CERTS: ca },
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(error?.message).not.toContain('not-the-password');
  });
});
