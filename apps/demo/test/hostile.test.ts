import type { Socket } from 'node:net';
import { PROTOCOL_VERSION, pb, rtpParametersToMessage } from '@x/protocol';
import { audioParameters, ProtocolClient } from '@x/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { legitimateJoin } from './helpers/demoProcess.js';

import { hostileRig } from './helpers/hostileRig.js';

const rig = hostileRig();
const { attack, participant, token, upgrade, url } = rig;

describe('hostile clients against the built demo', () => {
  it('unauthenticated queryRoom for 5,000 room names creates nothing', async () => {
    await attack('queryRoom x5000 without token', async () => {
      const before = (await rig.demo.inspect()).rooms;
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
      const after = (await rig.demo.inspect()).rooms;
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
      expect(await legitimateJoin(rig.demo.port)).toBe(true);
      const lifetimes = await Promise.all(held);
      const cutAfter = Math.max(...lifetimes) / 1000;
      expect(cutAfter).toBeLessThan(12);
      expect((await rig.demo.inspect()).connections).toBe(0);
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
              rtpCapabilities: rig.capabilities,
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
          rtpCapabilities: rig.capabilities,
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
});
