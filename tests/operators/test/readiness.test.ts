// /readyz as a load balancer or Kubernetes reads it: not ready while the
// server drains (SIGTERM: it takes nobody new, waits for its peers, then
// exits by itself), and not ready while Redis is unreachable in cluster mode.
import { joinRoom } from '@x/node';
import { createAccessToken } from '@x/server';
import { freePort, type RedisProcess, startRedis } from '@x/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { config, secret, startServer } from '../src/serverProcess.js';

const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function readyz(
  http: string,
): Promise<{ status: number; body: { ready: boolean; checks: Record<string, string> } }> {
  const answer = await fetch(`${http}/readyz`);
  return { status: answer.status, body: (await answer.json()) as never };
}

describe('/readyz', () => {
  it('turns not-ready during a drain (SIGTERM): nobody new joins, and the process exits once its peers left', async () => {
    const apiSecret = secret();
    const server = await startServer(config(apiSecret, 'drain:\n  timeoutMs: 20000\n'));
    closers.push(() => server.kill());
    const token = (peer: string) => createAccessToken({ secret: apiSecret, room: 'drained', peer });
    const { room, connection } = await joinRoom({
      url: `${server.ws}?room=drained`,
      peerName: 'stays',
      token: await token('stays'),
    });
    expect((await readyz(server.http)).status).toBe(200);

    server.child.kill('SIGTERM');
    await expect.poll(async () => (await readyz(server.http)).status).toBe(503);
    const during = await readyz(server.http);
    expect(during.body).toEqual({ ready: false, checks: { workers: 'ok', draining: 'draining' } });
    // Alive all along (a liveness probe must not restart a draining server).
    expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
    await expect(
      joinRoom({ url: `${server.ws}?room=drained`, peerName: 'late', token: await token('late') }),
    ).rejects.toThrow(/shutting down/);
    expect(room.joined).toBe(true);
    expect(server.child.exitCode).toBeNull();

    // The last peer leaves: the drain is over, the process ends with 0.
    room.leave();
    connection.close();
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('SIGTERM: draining');
  });

  it('turns not-ready while Redis is unreachable in cluster mode, and ready again when it is back', async () => {
    const redis: RedisProcess = await startRedis();
    closers.push(() => redis.kill());
    const port = await freePort();
    const server = await startServer(
      config(
        secret(),
        `cluster:\n  redis: ${redis.url}\n  signalingUrl: ws://127.0.0.1:${port}/ws\n  pipeListenIp: 127.0.0.1\n`,
      ).replace('port: 0', `port: ${port}`),
    );
    closers.push(() => server.kill());
    await expect.poll(async () => (await readyz(server.http)).status).toBe(200);
    expect((await readyz(server.http)).body.checks.redis).toBe('ok');

    await redis.kill();
    await expect
      .poll(async () => (await readyz(server.http)).status, { timeout: 10_000 })
      .toBe(503);
    expect((await readyz(server.http)).body.checks.redis).toBe('Redis does not answer');
    expect((await fetch(`${server.http}/healthz`)).status).toBe(200);

    await redis.restart();
    await expect
      .poll(async () => (await readyz(server.http)).status, { timeout: 20_000 })
      .toBe(200);
  });
});
