// Webhooks of x-server to a real HTTP receiver: a join, publish and leave
// arrive in order, their signatures verified by the TypeScript, Python and
// Go helpers; a receiver that answers 500 twice gets the event on the third
// try; a receiver that never answers delays no join.
import { spawnSync } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinRoom, ToneSource } from '@x/node';
import { createAccessToken, verifyWebhook } from '@x/server';
import { afterAll, describe, expect, it } from 'vitest';
import { config, secret, startServer } from '../src/serverProcess.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Delivery {
  body: string;
  signature: string;
  attempt: number;
  event: string;
}

/** A receiver: records every request; `answer` picks the status (or 'stall': no answer). */
async function receiver(answer: (d: Delivery) => number | 'stall' = () => 204) {
  const deliveries: Delivery[] = [];
  const server: HttpServer = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (d) => {
      body += d;
    });
    request.on('end', () => {
      const delivery = {
        body,
        signature: String(request.headers['x-sfu-signature']),
        attempt: Number(request.headers['x-sfu-attempt']),
        event: String(request.headers['x-sfu-event']),
      };
      deliveries.push(delivery);
      const status = answer(delivery);
      if (status !== 'stall') response.writeHead(status).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, deliveries };
}

async function bot(ws: string, apiSecret: string, room: string, peer: string) {
  const token = await createAccessToken({ secret: apiSecret, room, peer });
  return joinRoom({ url: `${ws}?room=${room}`, peerName: peer, token });
}

describe('webhooks', () => {
  it('a join, publish and leave arrive in order, verified in TypeScript, Python and Go; a 500, 500 is delivered on the third try', async () => {
    const apiSecret = secret();
    // The receiver fails the first two tries of peer_joined.
    const hook = await receiver((d) => (d.event === 'peer_joined' && d.attempt < 3 ? 500 : 204));
    const server = await startServer(
      config(
        apiSecret,
        `webhooks:\n  urls: [${hook.url}]\n  retryDelayMs: 100\nlimits:\n  emptyRoomTimeoutMs: 200\n`,
      ),
    );
    closers.push(() => server.kill());

    const { room, connection } = await bot(server.ws, apiSecret, 'hooks', 'alice');
    const tone = new ToneSource({ frequency: 440 });
    const producer = room.createProducer(tone.track);
    await producer.send(room.createTransport('send'));
    await expect
      .poll(() => hook.deliveries.some((d) => d.event === 'producer_published'))
      .toBe(true);
    producer.close();
    room.leave();
    connection.close();
    tone.close();
    await expect
      .poll(() => hook.deliveries.some((d) => d.event === 'room_finished'), { timeout: 10_000 })
      .toBe(true);

    // The server's log: JSON lines (pino), the room, peer and transport ids as fields.
    const lines = server
      .output()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'peer joined')).toMatchObject({
      level: 30,
      room: 'hooks',
      peer: 'alice',
    });
    expect(lines.find((l) => l.msg === 'transport created')).toMatchObject({
      room: 'hooks',
      peer: 'alice',
      transport: expect.any(Number),
      direction: 'send',
    });
    expect(lines.find((l) => l.msg === 'producer published')).toMatchObject({ kind: 'audio' });
    expect(lines.find((l) => l.msg === 'peer left')).toMatchObject({
      peer: 'alice',
      reason: 'left',
    });

    const accepted = hook.deliveries.filter((d) => d.event !== 'peer_joined' || d.attempt === 3);
    const events = accepted.map((d) => verifyWebhook(d.body, d.signature, apiSecret));
    expect(events.map((e) => e.event)).toEqual([
      'room_started',
      'peer_joined',
      'producer_published',
      'producer_closed',
      'peer_left',
      'room_finished',
    ]);
    expect(events.every((e) => e.room.id === 'hooks')).toBe(true);
    expect(events[1]!.peer?.name).toBe('alice');
    expect(events[2]!.producer).toMatchObject({ kind: 'audio', peerName: 'alice' });
    expect(events[4]!.reason).toBe('left');
    expect(hook.deliveries.filter((d) => d.event === 'peer_joined').map((d) => d.attempt)).toEqual([
      1, 2, 3,
    ]);

    // The same deliveries, verified by the Python and Go helpers.
    const input = JSON.stringify(accepted.map(({ body, signature }) => ({ body, signature })));
    const python = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import json, sys
from x_signaling import verify_webhook
for d in json.load(sys.stdin):
    e = verify_webhook(d["body"], d["signature"], sys.argv[1])
    print(e["event"], e["room"]["id"])`,
        apiSecret,
      ],
      {
        input,
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: `${root}/bindings/python/src` },
      },
    );
    expect(python.status, python.stderr).toBe(0);
    const go = spawnSync(
      'bash',
      [`${root}/bindings/go/scripts/go.sh`, 'run', './internal/cmd/verify-webhooks', apiSecret],
      { input, encoding: 'utf8', cwd: `${root}/bindings/go` },
    );
    expect(go.status, go.stderr).toBe(0);
    const expected = events.map((e) => `${e.event} hooks`).join('\n');
    expect(python.stdout.trim()).toBe(expected);
    expect(go.stdout.trim()).toBe(expected);
    // A body changed on the way is refused by all three.
    const forged = JSON.stringify([
      { body: accepted[0]!.body.replace('hooks', 'other'), signature: accepted[0]!.signature },
    ]);
    expect(() =>
      verifyWebhook(accepted[0]!.body.replace('hooks', 'other'), accepted[0]!.signature, apiSecret),
    ).toThrow(/signature does not match/);
    expect(
      spawnSync(
        'bash',
        [`${root}/bindings/go/scripts/go.sh`, 'run', './internal/cmd/verify-webhooks', apiSecret],
        {
          input: forged,
          encoding: 'utf8',
          cwd: `${root}/bindings/go`,
        },
      ).stdout,
    ).toMatch(/^error BAD_SIGNATURE/);
  });

  it('a receiver that never answers delays no join', async () => {
    const apiSecret = secret();
    const stalled = await receiver(() => 'stall');
    const server = await startServer(
      config(apiSecret, `webhooks:\n  urls: [${stalled.url}]\n  timeoutMs: 60000\n`),
    );
    closers.push(() => server.kill());
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const { room, connection } = await bot(server.ws, apiSecret, 'stalled', `p${i}`);
      times.push(performance.now() - started);
      closers.push(
        () => connection.close(),
        () => room.leave(),
      );
    }
    // The receiver holds the first request and answers none: the rest wait in the queue.
    expect(stalled.deliveries.map((d) => d.event)).toEqual(['room_started']);
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(Number(/^xsfu_webhooks_queued (\d+)/m.exec(metrics)?.[1])).toBe(4);
    console.log(
      `joins with a stalled webhook receiver: ${times.map((t) => t.toFixed(0)).join(', ')} ms`,
    );
    for (const t of times) expect(t).toBeLessThan(3000);
  });
});
