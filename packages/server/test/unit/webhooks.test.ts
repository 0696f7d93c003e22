// Webhook signatures (the vector Python's and Go's helpers check too) and the
// sender against a real HTTP receiver: order per room, retries after 500s,
// a stalled receiver that holds nothing else up, and the bounded queue.
import { createServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  signWebhook,
  verifyWebhook,
  type WebhookEvent,
  WebhookSender,
  WebhookVerificationError,
} from '../../src/index.js';

const SECRET = 's'.repeat(40);
const BODY =
  '{"id":"e1","event":"peer_joined","createdAt":1,"room":{"id":"r"},"peer":{"name":"alice"}}';
const HEADER = 't=1000,v1=e7a180258ac49e114e96c21c5b9f8cf15d40f7acb6659cc065328e6059d53fb5';

describe('webhook signatures', () => {
  it('sign the exact body with the secret and a timestamp (the vector of the Python and Go helpers)', () => {
    expect(signWebhook(BODY, SECRET, 1000)).toBe(HEADER);
    const event = verifyWebhook(BODY, HEADER, SECRET, 300, 1010);
    expect(event.event).toBe('peer_joined');
    expect(event.peer?.name).toBe('alice');
  });

  it('refuse a missing, malformed, wrong or old signature, with a code', () => {
    const cases: [string, string | undefined, string, number, string][] = [
      [BODY, undefined, SECRET, 1000, 'MISSING_SIGNATURE'],
      [BODY, 't=x,v1=y', SECRET, 1000, 'BAD_SIGNATURE'],
      [`${BODY} `, HEADER, SECRET, 1000, 'BAD_SIGNATURE'],
      [BODY, HEADER, 't'.repeat(40), 1000, 'BAD_SIGNATURE'],
      [BODY, HEADER, SECRET, 1301, 'EXPIRED'],
    ];
    for (const [body, header, secret, now, code] of cases) {
      const error = (() => {
        try {
          verifyWebhook(body, header, secret, 300, now);
        } catch (e) {
          return e as WebhookVerificationError;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect(error?.code).toBe(code);
    }
  });
});

interface Received {
  event: WebhookEvent;
  attempt: number;
  at: number;
}

/** A receiver whose answer the test chooses per request. */
async function receiver(
  answer: (event: WebhookEvent, attempt: number) => number | 'stall',
): Promise<{ url: string; received: Received[]; server: HttpServer }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (d) => {
      body += d;
    });
    request.on('end', () => {
      const event = verifyWebhook(body, request.headers['x-sfu-signature'] as string, SECRET);
      const attempt = Number(request.headers['x-sfu-attempt']);
      received.push({ event, attempt, at: Date.now() });
      const status = answer(event, attempt);
      if (status !== 'stall') response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    server,
  };
}

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('WebhookSender', () => {
  it('delivers in order per room, and tries again after errors (the third try of a 500, 500, 204)', async () => {
    const hook = await receiver((event, attempt) =>
      event.event === 'peer_joined' && attempt < 3 ? 500 : 204,
    );
    closers.push(() => hook.server.close());
    const sender = new WebhookSender({ urls: [hook.url], secret: SECRET, retryDelayMs: 50 });
    closers.push(() => sender.close());
    sender.send({ event: 'room_started', room: { id: 'a' } });
    sender.send({ event: 'peer_joined', room: { id: 'a' }, peer: { name: 'flaky' } });
    sender.send({ event: 'peer_left', room: { id: 'a' }, peer: { name: 'flaky' } });
    sender.send({ event: 'room_finished', room: { id: 'a' } });
    await expect.poll(() => sender.counts.delivered, { timeout: 5000 }).toBe(4);
    const accepted = hook.received.filter(
      (r) => r.event.event !== 'peer_joined' || r.attempt === 3,
    );
    expect(accepted.map((r) => r.event.event)).toEqual([
      'room_started',
      'peer_joined',
      'peer_left',
      'room_finished',
    ]);
    expect(
      hook.received.filter((r) => r.event.event === 'peer_joined').map((r) => r.attempt),
    ).toEqual([1, 2, 3]);
    // The same event each time: receivers deduplicate by id.
    expect(
      new Set(hook.received.filter((r) => r.event.event === 'peer_joined').map((r) => r.event.id))
        .size,
    ).toBe(1);
    expect(sender.counts).toMatchObject({ delivered: 4, retried: 2, failed: 0, dropped: 0 });
  });

  it('a stalled room holds back only its own events; send() never waits', async () => {
    const hook = await receiver((event) => (event.room.id === 'stuck' ? 'stall' : 204));
    closers.push(() => hook.server.closeAllConnections());
    closers.push(() => hook.server.close());
    const sender = new WebhookSender({ urls: [hook.url], secret: SECRET, timeoutMs: 60_000 });
    closers.push(() => sender.close());
    const started = performance.now();
    for (let i = 0; i < 100; i++)
      sender.send({ event: 'peer_joined', room: { id: 'stuck' }, peer: { name: `p${i}` } });
    sender.send({ event: 'peer_joined', room: { id: 'free' }, peer: { name: 'x' } });
    expect(performance.now() - started).toBeLessThan(50);
    await expect.poll(() => hook.received.some((r) => r.event.room.id === 'free')).toBe(true);
    expect(hook.received.filter((r) => r.event.room.id === 'stuck')).toHaveLength(1);
    expect(sender.queued).toBe(100);
  });

  it('drops and counts what goes past the queue bound, and gives up after maxAttempts', async () => {
    const hook = await receiver(() => 500);
    closers.push(() => hook.server.close());
    const sender = new WebhookSender({
      urls: [hook.url],
      secret: SECRET,
      maxQueued: 3,
      maxAttempts: 2,
      retryDelayMs: 20,
    });
    closers.push(() => sender.close());
    for (let i = 0; i < 5; i++) sender.send({ event: 'room_started', room: { id: 'r' } });
    expect(sender.counts.dropped).toBe(2);
    await expect.poll(() => sender.counts.failed, { timeout: 5000 }).toBe(3);
    expect(hook.received).toHaveLength(6);
    expect(sender.queued).toBe(0);
  });

  it('refuses URLs that are not http(s)', () => {
    expect(() => new WebhookSender({ urls: ['ftp://x'], secret: SECRET })).toThrow(TypeError);
  });
});
