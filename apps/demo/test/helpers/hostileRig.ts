// The rig of the hostile tests: the built demo in its own process with a
// known token secret, protocol clients joined as participants, raw upgrades,
// and `attack()`, which measures the demo around an attack, checks that a
// legitimate user still joins after it, and records a row of the table the
// file prints at its end.
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { type pb, rtpCapabilitiesFromMessage } from '@x/protocol';
import { createAccessToken } from '@x/server';
import { ProtocolClient } from '@x/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { type DemoProcess, legitimateJoin, startDemoProcess } from './demoProcess.js';

const secret = 'hostile-test-secret-of-at-least-32-bytes';

/** Starts the demo before the file's tests and prints their table after them. */
export function hostileRig() {
  let demo: DemoProcess;
  let capabilities: pb.RtpCapabilities;
  const rows: Record<string, string | number>[] = [];

  const url = (room: string) => `ws://127.0.0.1:${demo.port}/ws?room=${encodeURIComponent(room)}`;
  const token = (room: string, peer: string) => createAccessToken({ secret, room, peer });

  beforeAll(async () => {
    demo = await startDemoProcess({
      TOKEN_SECRET: secret,
      DEBUG: 'x:server:WARN:*,x:server:ERROR:*',
    });
    const c = await ProtocolClient.connect(url('caps'));
    capabilities = (await c.ok({ queryRoom: { token: await token('caps', 'c') } }, 'queryRoom'))
      .rtpCapabilities!;
    c.close();
  });

  afterAll(async () => {
    console.table(rows);
    await demo?.stop();
  });

  return {
    secret,
    get demo(): DemoProcess {
      return demo;
    },
    /** The room's capabilities as the server sent them. */
    get capabilities(): pb.RtpCapabilities {
      return capabilities;
    },
    url,
    token,

    /** A protocol client joined to `room` as `name`, with a token. */
    async participant(
      room: string,
      name: string,
      appData?: unknown,
      localAddress?: string,
      timeoutMs?: number,
    ): Promise<ProtocolClient> {
      const c = await ProtocolClient.connect(url(room), { localAddress, timeoutMs });
      await c.join(
        name,
        rtpCapabilitiesFromMessage(capabilities),
        { token: await token(room, name) },
        appData,
      );
      return c;
    },

    /**
     * Runs an attack while sampling the demo's memory; records the row: what
     * happened, RSS peak and end growth, descriptors, and whether a
     * legitimate user still joins afterwards.
     */
    async attack(name: string, run: () => Promise<string>): Promise<void> {
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
    },

    /** The HTTP status of a WebSocket upgrade (101: accepted), and the socket when accepted. */
    upgrade(
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
    },
  };
}
