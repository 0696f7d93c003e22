// The hostile client, part two: media, recordings, library defaults and
// worker faults, against the built demo as in part one (hostile.test.ts):
// the demo's memory and descriptors around each attack, a legitimate join
// after it, a printed table where every row must pass.

import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pb, rtpParametersToMessage } from '@x/protocol';
import { roomFromUrl, Server, WebSocketEndpoint } from '@x/server';
import {
  audioParameters,
  launchChromium,
  type ProtocolClient,
  probe,
  videoParameters,
} from '@x/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from './helpers/demoProcess.js';

import { hostileRig } from './helpers/hostileRig.js';

const rig = hostileRig();
const { attack, participant, token, upgrade } = rig;

describe('hostile clients against the built demo', () => {
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
        expect((await getJson(rig.demo.port, '/api/recordings')).status).toBe(401);
        const outsider = await token('rec', 'outsider');
        const asOutsider = { authorization: `Bearer ${outsider}` };
        expect(
          (await getJson(rig.demo.port, '/api/recordings', '127.0.0.1', asOutsider)).status,
        ).toBe(403);

        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${rig.demo.port}/?room=rec&peer=alice&autojoin=1`);
        await page.waitForFunction(() => window.demo?.room.joined === true, null, {
          timeout: 20_000,
        });
        await page.waitForFunction(() => window.demo?.video !== undefined, null, {
          timeout: 20_000,
        });
        const bob = await participant('rec', 'bob');
        const bobToken = await token('rec', 'bob');
        const post = (body: unknown) =>
          fetch(`http://127.0.0.1:${rig.demo.port}/api/recordings`, {
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
            await getJson(rig.demo.port, '/api/recordings', '127.0.0.1', {
              authorization: `Bearer ${bobToken}`,
            })
          ).body as unknown as { state: string; file: string; url: string }[];
        await expect
          .poll(async () => (await listed()).map((r) => r.state), { timeout: 15_000 })
          .toEqual(['done', 'done']);
        const [first] = await listed();
        const download = await getJson(rig.demo.port, first!.url);
        expect(download.status).toBe(401);
        const res = await fetch(`http://127.0.0.1:${rig.demo.port}${first!.url}?token=${bobToken}`);
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
        Origin: `http://127.0.0.1:${rig.demo.port}`,
      });
      own.socket?.destroy();
      expect(foreign.status).toBe(403);
      expect(own.status).toBe(101);
      return 'endpoint without auth: TypeError; foreign Origin 403, own page 101';
    });
  });

  it('a stalled worker: the transport created after the timeout is closed', async () => {
    await attack('worker stalled > 15 s (SIGSTOP)', async () => {
      // The server gives up on a stalled worker after 15 s (WORKER_REQUEST_TIMEOUT_MS): wait longer than that.
      const c = await participant('stall', 'staller', undefined, undefined, 30_000);
      const workers = rig.demo.workers();
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
          () => /created a transport after its request timed out: closed/.test(rig.demo.log()),
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
