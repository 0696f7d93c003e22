// The hostile client: every attack found against the server, run against the
// built demo with its defaults (its own process, loopback, bounded loops),
// with the demo's memory and descriptors measured around each, and a
// legitimate user (from an address of its own) joining after each. Prints a
// table; every row must pass. Attacks that need a participant use tokens
// signed with the demo's secret, as its own token endpoint would sign them.

import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTOCOL_VERSION, pb, rtpParametersToMessage } from '@x/protocol';
import { createAccessToken, roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import {
  audioParameters,
  launchChromium,
  ProtocolClient,
  probe,
  videoParameters,
} from '@x/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type DemoProcess,
  getJson,
  legitimateJoin,
  startDemoProcess,
} from './helpers/demoProcess.js';

const secret = 'hostile-test-secret-of-at-least-32-bytes';
let demo: DemoProcess;
let capabilities: pb.RtpCapabilities;
const rows: Record<string, string | number>[] = [];

beforeAll(async () => {
  demo = await startDemoProcess({
    TOKEN_SECRET: secret,
    DEBUG: 'x:server:WARN:*,x:server:ERROR:*',
  });
  const c = await ProtocolClient.connect(url('caps'));
  const token = await createAccessToken({ secret, room: 'caps', peer: 'c' });
  capabilities = (await c.ok({ queryRoom: { token } }, 'queryRoom')).rtpCapabilities!;
  c.close();
});

afterAll(async () => {
  console.table(rows);
  await demo?.stop();
});

function url(room: string): string {
  return `ws://127.0.0.1:${demo.port}/ws?room=${encodeURIComponent(room)}`;
}

const token = (room: string, peer: string) => createAccessToken({ secret, room, peer });

async function participant(
  room: string,
  name: string,
  appData?: unknown,
  localAddress?: string,
  timeoutMs?: number,
) {
  const c = await ProtocolClient.connect(url(room), { localAddress, timeoutMs });
  await c.join(
    name,
    (await import('@x/protocol')).rtpCapabilitiesFromMessage(capabilities),
    { token: await token(room, name) },
    appData,
  );
  return c;
}

/**
 * Runs an attack while sampling the demo's memory; records the row: what
 * happened, RSS peak and end growth, descriptors, and whether a legitimate
 * user still joins afterwards.
 */
async function attack(name: string, run: () => Promise<string>): Promise<void> {
  await new Promise((r) => setTimeout(r, 200));
  const rssBefore = demo.rssMiB();
  const fdBefore = demo.fds();
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, demo.rssMiB());
  }, 100);
  let outcome: string;
  try {
    outcome = await run();
  } finally {
    clearInterval(sampler);
  }
  await new Promise((r) => setTimeout(r, 500));
  const legit = await legitimateJoin(demo.port);
  rows.push({
    attack: name,
    outcome,
    'RSS peak +MiB': Math.round(peak - rssBefore),
    'RSS after +MiB': Math.round(demo.rssMiB() - rssBefore),
    'fd +': demo.fds() - fdBefore,
    'legit join': legit ? 'yes' : 'no',
  });
  expect(legit).toBe(true);
}

/** The HTTP status of a WebSocket upgrade (101: accepted), and the socket when accepted. */
function upgrade(
  path: string,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; socket?: Socket }> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port: demo.port,
      path,
      localAddress,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      // Read (and drop) what the server sends, so that its close is seen.
      socket.resume();
      resolve({ status: res.statusCode ?? 0, socket });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', () => resolve({ status: 0 }));
    req.end();
  });
}

describe('hostile clients against the built demo', () => {
  it('unauthenticated queryRoom for 5,000 room names creates nothing', async () => {
    await attack('queryRoom x5000 without token', async () => {
      const before = (await demo.inspect()).rooms;
      const answers = { UNAUTHENTICATED: 0, other: 0 };
      await Promise.all(
        Array.from({ length: 50 }, async (_, c) => {
          for (let i = 0; i < 100; i += 25) {
            const client = await ProtocolClient.connect(url(`probe-${c}-${i}`), {
              localAddress: '127.0.0.3',
              record: false,
            });
            const errors = await Promise.all(
              Array.from({ length: 25 }, () => client.error({ queryRoom: {} })),
            );
            for (const e of errors)
              answers[e.code === 'UNAUTHENTICATED' ? 'UNAUTHENTICATED' : 'other']++;
            client.close();
          }
        }),
      );
      const after = (await demo.inspect()).rooms;
      expect(answers).toEqual({ UNAUTHENTICATED: 5000, other: 0 });
      expect(after).toBe(before);
      return `5000 UNAUTHENTICATED, rooms ${before} → ${after}`;
    });
  });

  it('10,000 idle connections from one address: capped, then cut at the join deadline', async () => {
    await attack('10,000 idle connections, one address', async () => {
      const statuses = new Map<number, number>();
      const held: Promise<number>[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const results = await Promise.all(
          Array.from({ length: 500 }, () => upgrade('/ws?room=idle', '127.0.0.4')),
        );
        for (const r of results) {
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          const socket = r.socket;
          if (!socket) continue;
          const opened = Date.now();
          // How long the server let it stay.
          held.push(new Promise((done) => socket.once('close', () => done(Date.now() - opened))));
        }
      }
      expect(statuses.get(101)).toBeLessThanOrEqual(100);
      expect(statuses.get(429)).toBeGreaterThanOrEqual(9900);
      // A legitimate user joins during the flood (its own address).
      expect(await legitimateJoin(demo.port)).toBe(true);
      const lifetimes = await Promise.all(held);
      const cutAfter = Math.max(...lifetimes) / 1000;
      expect(cutAfter).toBeLessThan(12);
      expect((await demo.inspect()).connections).toBe(0);
      return `${statuses.get(101)} accepted, ${statuses.get(429)} × 429; each accepted one cut after ${(Math.min(...lifetimes) / 1000).toFixed(1)}-${cutAfter.toFixed(1)} s`;
    });
  }, 60_000);

  it('300 unfinished fragmented 1 MiB messages: each cut at the pre-join limit', async () => {
    await attack('300 fragmented 1 MiB messages', async () => {
      const codes = new Map<number, number>();
      await Promise.all(
        Array.from({ length: 300 }, async (_, i) => {
          const socket = new WebSocket(url('frag'), { localAddress: `127.0.1.${1 + (i % 3)}` });
          await new Promise((r, j) => {
            socket.once('open', r);
            socket.once('error', j);
          });
          const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
          for (let f = 0; f < 16 && socket.readyState === WebSocket.OPEN; f++) {
            socket.send(Buffer.alloc(64 * 1024, 7), { binary: true, fin: false });
            await new Promise((r) => setTimeout(r, 5));
          }
          const code = await closed;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }),
      );
      expect(codes.get(1009)).toBe(300);
      return '300 × closed 1009 (message too big) before 64 KiB was held';
    });
  }, 60_000);

  it('peers that never read while others churn joins with big appData: bounded memory', async () => {
    await attack('5 non-readers + join churn (100 KiB appData)', async () => {
      const lazy = await Promise.all(
        Array.from({ length: 5 }, (_, i) => participant('churn', `lazy${i}`)),
      );
      for (const c of lazy) (c.socket as unknown as { _socket: Socket })._socket.pause();
      // 100 KiB of appData does not even fit a stranger's frame: the socket is cut (1009).
      const big = await ProtocolClient.connect(url('churn'));
      big.sendRaw(
        (await import('@x/protocol')).encodeClientMessage({
          request: {
            id: 1,
            join: {
              protocolVersion: PROTOCOL_VERSION,
              peerName: 'big',
              rtpCapabilities: capabilities,
              appData: { stringValue: 'x'.repeat(100 * 1024) },
              token: await token('churn', 'big'),
            },
          },
        }),
      );
      expect((await big.closed).code).toBe(1009);
      // 20 KiB fits the frame, not the appData cap: LIMIT_EXCEEDED, nothing created.
      const fat = await ProtocolClient.connect(url('churn'));
      const refused = await fat.error({
        join: {
          protocolVersion: PROTOCOL_VERSION,
          peerName: 'fat',
          rtpCapabilities: capabilities,
          appData: { stringValue: 'x'.repeat(20 * 1024) },
          token: await token('churn', 'fat'),
        },
      });
      expect(refused.code).toBe('LIMIT_EXCEEDED');
      fat.close();
      for (let i = 0; i < 400; i++) {
        const c = await participant('churn', `churn${i}`, { pad: 'p'.repeat(4000) });
        c.leave();
      }
      for (const c of lazy) c.close();
      return '100 KiB join cut (1009), 20 KiB LIMIT_EXCEEDED; 400 joins of 4 KiB to 5 non-readers';
    });
  }, 90_000);

  it('a peer with 5 producers of 250 KiB appData cannot lock the room', async () => {
    await attack('5 producers × 250 KiB appData', async () => {
      const fat = await participant('locked', 'fat');
      await fat.createTransport(1, 'send');
      let refused = 0;
      for (let i = 1; i <= 5; i++) {
        const answer = await fat.request({
          createProducer: {
            id: i,
            transportId: 1,
            kind: pb.MediaKind.MEDIA_KIND_AUDIO,
            rtpParameters: rtpParametersToMessage({ ...audioParameters(100 + i), mid: `m${i}` }),
            appData: { stringValue: 'y'.repeat(250 * 1024) },
          },
        });
        if (answer.error?.code === pb.ErrorCode.ERROR_CODE_LIMIT_EXCEEDED) refused++;
      }
      expect(refused).toBe(5);
      // Later joins work, and a failed joiner leaves no ghost.
      const late = await participant('locked', 'late');
      late.leave();
      const again = await participant('locked', 'late');
      again.leave();
      fat.leave();
      return '5 × LIMIT_EXCEEDED (appData); later joins work, the same name rejoins at once';
    });
  });

  it('a subscriber cannot aim plain RTP at a third party', async () => {
    await attack('plain RTP reflection to a third party', async () => {
      const victim = createSocket('udp4');
      await new Promise<void>((r) => victim.bind(0, '127.0.0.1', () => r()));
      let received = 0;
      victim.on('message', () => received++);
      const c = await participant('reflect', 'mallory');
      const answer = await c.error({
        createTransport: {
          id: 1,
          direction: pb.TransportDirection.TRANSPORT_DIRECTION_RECV,
          plainRtpParameters: { ip: '127.0.0.1', ipVersion: 4, port: victim.address().port },
        },
      });
      await new Promise((r) => setTimeout(r, 1000));
      victim.close();
      c.leave();
      expect(answer.code).toBe('FORBIDDEN');
      expect(received).toBe(0);
      return `FORBIDDEN (${answer.message.slice(0, 60)}…); 0 packets at the third party`;
    });
  });

  describe('recordings', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(() => browser?.close());

    it('the API wants a peer of the room, caps recordings per room, and a recording whose peer leaves ends playable', async () => {
      await attack('recordings API and a recorded peer leaving', async () => {
        // A stranger: no token, then a token of someone not in the room.
        expect((await getJson(demo.port, '/api/recordings')).status).toBe(401);
        const outsider = await token('rec', 'outsider');
        const asOutsider = { authorization: `Bearer ${outsider}` };
        expect((await getJson(demo.port, '/api/recordings', '127.0.0.1', asOutsider)).status).toBe(
          403,
        );

        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${demo.port}/?room=rec&peer=alice&autojoin=1`);
        await page.waitForFunction(() => window.demo?.room.joined === true, null, {
          timeout: 20_000,
        });
        await page.waitForFunction(() => window.demo?.video !== undefined, null, {
          timeout: 20_000,
        });
        const bob = await participant('rec', 'bob');
        const bobToken = await token('rec', 'bob');
        const post = (body: unknown) =>
          fetch(`http://127.0.0.1:${demo.port}/api/recordings`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${bobToken}` },
            body: JSON.stringify(body),
          });
        const statuses: number[] = [];
        for (let i = 0; i < 25; i++) statuses.push((await post({ peer: 'alice' })).status);
        expect(statuses.filter((s) => s === 201)).toHaveLength(2);
        expect(statuses.filter((s) => s === 429)).toHaveLength(23);
        // Everyone in the room is told.
        expect((await bob.waitFor('recording')).active).toBe(true);
        await page.waitForFunction(() => !document.getElementById('recording-badge')?.hidden);

        await new Promise((r) => setTimeout(r, 3000));
        await page.close();
        const listed = async () =>
          (
            await getJson(demo.port, '/api/recordings', '127.0.0.1', {
              authorization: `Bearer ${bobToken}`,
            })
          ).body as unknown as { state: string; file: string; url: string }[];
        await expect
          .poll(async () => (await listed()).map((r) => r.state), { timeout: 15_000 })
          .toEqual(['done', 'done']);
        const [first] = await listed();
        const download = await getJson(demo.port, first!.url);
        expect(download.status).toBe(401);
        const res = await fetch(`http://127.0.0.1:${demo.port}${first!.url}?token=${bobToken}`);
        expect(res.status).toBe(200);
        const bytes = Buffer.from(await res.arrayBuffer());
        const copy = join(mkdtempSync(join(tmpdir(), 'hostile-')), 'rec.webm');
        writeFileSync(copy, bytes);
        const info = probe(copy);
        expect(info.format.duration).toBeGreaterThan(2);
        bob.leave();
        return `401/403 for strangers; 2 started, 23 × 429; peer left → done, ${info.format.duration.toFixed(1)} s playable`;
      });
    }, 90_000);
  });

  it('library defaults: no endpoint without access control; the demo refuses foreign pages', async () => {
    await attack('defaults: auth and Origin', async () => {
      const server = await Server.create({
        numWorkers: 1,
        logLevel: 'none',
        rtcIPv4: '127.0.0.1',
        rtcIPv6: false,
        rtcMinPort: 47800,
        rtcMaxPort: 47899,
      });
      await expect(
        WebSocketEndpoint.listen({ server, selectRoom: roomFromUrl(server) } as never),
      ).rejects.toThrow(/auth/);
      server.close();
      const foreign = await upgrade('/ws?room=o', '127.0.0.1', { Origin: 'https://evil.example' });
      const own = await upgrade('/ws?room=o', '127.0.0.1', {
        Origin: `http://127.0.0.1:${demo.port}`,
      });
      own.socket?.destroy();
      expect(foreign.status).toBe(403);
      expect(own.status).toBe(101);
      return 'endpoint without auth: TypeError; foreign Origin 403, own page 101';
    });
  });

  it('a stalled worker: the transport created after the timeout is closed', async () => {
    await attack('worker stalled > 15 s (SIGSTOP)', async () => {
      // mediasoup 3.8.4 gives up on a stalled worker after 15 s: wait longer than that.
      const c = await participant('stall', 'staller', undefined, undefined, 30_000);
      const workers = demo.workers();
      for (const pid of workers) process.kill(pid, 'SIGSTOP');
      let answer: pb.Response;
      try {
        answer = await c.request({
          createTransport: { id: 1, direction: pb.TransportDirection.TRANSPORT_DIRECTION_SEND },
        });
      } finally {
        for (const pid of workers) process.kill(pid, 'SIGCONT');
      }
      expect(answer.error?.message).toMatch(/timeout/i);
      await expect
        .poll(
          () =>
            /closed 1 objects the worker created after their request timed out/.test(demo.log()),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);
      const retry = await c.createTransport(2, 'send');
      expect(retry.iceParameters).toBeTruthy();
      c.leave();
      return 'request timed out; the late transport was closed; the worker works';
    });
  }, 60_000);

  it('consumers grow with the square of the room: capped per peer, said clearly', async () => {
    await attack('fan-out past consumersPerPeer', async () => {
      const peers: ProtocolClient[] = [];
      let refusal: { code: string; message: string } | undefined;
      for (let p = 0; p < 20 && !refusal; p++) {
        let c: ProtocolClient;
        try {
          c = await participant('square', `pub${p}`);
        } catch (error) {
          // A newcomer would receive too many: refused at join, saying so.
          refusal = { code: 'ERROR_CODE_LIMIT_EXCEEDED', message: (error as Error).message };
          break;
        }
        peers.push(c);
        await c.createTransport(1, 'send');
        for (let i = 1; i <= 16 && !refusal; i++) {
          const answer = await c.request({
            createProducer: {
              id: i,
              transportId: 1,
              kind: pb.MediaKind.MEDIA_KIND_AUDIO,
              rtpParameters: rtpParametersToMessage({
                ...audioParameters(p * 100 + i),
                mid: `m${i}`,
              }),
            },
          });
          if (answer.error)
            refusal = { code: pb.ErrorCode[answer.error.code], message: answer.error.message };
        }
      }
      for (const c of peers) c.leave();
      expect(refusal?.code).toBe('ERROR_CODE_LIMIT_EXCEEDED');
      expect(refusal?.message).toMatch(/consumersPerPeer/);
      return `LIMIT_EXCEEDED at 256 consumers per peer: "${refusal!.message.slice(0, 80)}…"`;
    });
  }, 60_000);

  it('a worker hosting localIP streamers dies: they close and the next one works (library)', async () => {
    await attack('localIP streamer worker dies', async () => {
      const server = await Server.create({
        numWorkers: 1,
        logLevel: 'none',
        rtcIPv4: '127.0.0.1',
        rtcIPv6: false,
        rtcMinPort: 47900,
        rtcMaxPort: 47999,
      });
      try {
        const room = await server.createRoom();
        const peer = await room.join({ name: 'p', rtpCapabilities: room.rtpCapabilities });
        await peer.createWebRtcTransport({ id: 1, direction: 'send' });
        const producer = await peer.produce({
          id: 1,
          transportId: 1,
          kind: 'video',
          rtpParameters: videoParameters(),
        });
        const known = new Set(server.workers.map((w) => w.pid));
        const options = { remoteIP: '127.0.0.1', remotePort: 9, localIP: '127.0.0.1' };
        const streamer = await room.createRtpStreamer(producer, options);
        const outside = readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d) && !known.has(Number(d)))
          .filter((d) => {
            try {
              const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
              return (
                stat.includes('(mediasoup-worke') &&
                stat.split(') ')[1]?.split(' ')[1] === String(process.pid)
              );
            } catch {
              return false;
            }
          })
          .map(Number);
        expect(outside).toHaveLength(1);
        const closed = new Promise<void>((r) => streamer.once('close', () => r()));
        process.kill(outside[0]!, 'SIGKILL');
        await closed;
        expect(room.rtpStreamers).toHaveLength(0);
        const next = await room.createRtpStreamer(producer, options);
        expect(next.closed).toBe(false);
        return 'the streamer closed (event) and left the room; the next one works on a new worker';
      } finally {
        server.close();
      }
    });
  });
});
