// The admin API of x-server, called as an app's backend would in
// TypeScript, Python and Go, with two Chromium pages of the demo in the
// room: list rooms and peers, update metadata (the pages are notified), mute
// a producer (the other page's consumer pauses), remove a peer (its page
// sees the call closed, with the reason); a missing, wrong or non-admin
// token gets 401 or 403 and changes nothing.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Consumer, Room } from '@x/client';
import { joinRoom } from '@x/node';
import { AdminApiError, createAccessToken, RoomServiceClient } from '@x/server';
import { launchChromium } from '@x/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHost, startDemoHost } from '../src/demoHost.js';
import { config, type ServerProcess, secret, startServer } from '../src/serverProcess.js';

declare global {
  interface Window {
    /** The demo page's call (apps/demo/web): its room and the consumers it shows. */
    demo?: { room: Room; consumers: Iterable<Consumer> };
  }
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ADMIN = '/twirp/x.signaling.v1.RoomService/';
const apiSecret = secret();
let server: ServerProcess;
let host: DemoHost;
let browser: Browser;
let alice: Page;
let bob: Page;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  server = await startServer(config(apiSecret));
  closers.push(() => server.kill());
  host = await startDemoHost(server.port, apiSecret);
  closers.push(() => host.close());
  browser = await launchChromium();
  closers.push(() => browser.close());
  for (const name of ['alice', 'bob']) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${host.origin}/?room=admin&peer=${name}&autojoin=1`);
    await page.waitForFunction(() => window.demo?.room.joined === true, undefined, {
      timeout: 30_000,
    });
    // What the page hears of metadata, kept for the test.
    await page.evaluate(() => {
      const events: unknown[] = [];
      (window as unknown as { adminEvents: unknown[] }).adminEvents = events;
      window.demo!.room.on('peerappdatachange', (peerName, _peer, appData) =>
        events.push(['peer', peerName, appData]),
      );
      window.demo!.room.on('roomappdatachange', (appData) => events.push(['room', appData]));
    });
    if (name === 'alice') alice = page;
    else bob = page;
  }
  // Bob receives both of alice's tracks.
  await bob.waitForFunction(
    () =>
      [...(window.demo?.consumers ?? [])].filter((c) => c.peer.name === 'alice' && c.track)
        .length === 2,
    undefined,
    { timeout: 30_000 },
  );
}, 90_000);

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function events(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { adminEvents: unknown[] }).adminEvents);
}

function python(code: string, ...args: string[]): { status: number | null; out: string } {
  const result = spawnSync('/usr/bin/python3', ['-c', code, server.http, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: `${root}/bindings/python/src` },
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}

function go(...args: string[]): { status: number | null; out: string } {
  const result = spawnSync(
    'bash',
    [`${root}/bindings/go/scripts/go.sh`, 'run', './internal/cmd/admin-call', server.http, ...args],
    { encoding: 'utf8', cwd: `${root}/bindings/go` },
  );
  // `go run` adds "exit status 1" on stderr: what the command printed is on stdout.
  return {
    status: result.status,
    out: (result.status === 0 || result.stdout ? result.stdout : result.stderr).trim(),
  };
}

describe('the admin API', () => {
  it('lists rooms and peers (TypeScript, Python, Go, and JSON over HTTP)', async () => {
    const admin = new RoomServiceClient({ url: server.http, secret: apiSecret });
    expect(await admin.listRooms()).toEqual([{ id: 'admin', numPeers: 2, appData: undefined }]);
    const peers = await admin.listPeers('admin');
    expect(peers.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    expect(
      peers
        .find((p) => p.name === 'alice')!
        .producers.map((p) => p.kind)
        .sort(),
    ).toEqual(['audio', 'video']);
    const fromPython = python(
      `import sys
from x_signaling.admin import RoomServiceClient
for room in RoomServiceClient(sys.argv[1], secret=sys.argv[2]).list_rooms():
    print(room.id, room.num_peers)`,
      apiSecret,
    );
    expect(fromPython).toEqual({ status: 0, out: 'admin 2' });
    const fromGo = go(apiSecret, 'list-rooms');
    expect(fromGo.status, fromGo.out).toBe(0);
    expect(JSON.parse(fromGo.out)).toEqual([{ id: 'admin', numPeers: 2, appData: null }]);

    const { createAdminToken } = await import('@x/server');
    const json = await fetch(`${server.http}${ADMIN}ListPeers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await createAdminToken({ secret: apiSecret })}`,
      },
      body: JSON.stringify({ room: 'admin' }),
    });
    expect(json.status).toBe(200);
    const body = (await json.json()) as {
      peers: { name: string; producers: { kind: string }[] }[];
    };
    expect(
      body.peers
        .find((p) => p.name === 'alice')!
        .producers.map((p) => p.kind)
        .sort(),
    ).toEqual(['MEDIA_KIND_AUDIO', 'MEDIA_KIND_VIDEO']);
  });

  it('metadata: a peer’s from Go and the room’s from TypeScript reach both pages, and a new join', async () => {
    const fromGo = go(apiSecret, 'peer-metadata', 'admin', 'alice', '{"role":"host"}');
    expect(fromGo.status, fromGo.out).toBe(0);
    expect(JSON.parse(fromGo.out)).toEqual({ name: 'alice', appData: { role: 'host' } });
    for (const page of [alice, bob])
      await expect.poll(() => events(page)).toContainEqual(['peer', 'alice', { role: 'host' }]);
    expect(await bob.evaluate(() => window.demo!.room.getPeerByName('alice')!.appData)).toEqual({
      role: 'host',
    });
    expect(await alice.evaluate(() => window.demo!.room.appData)).toEqual({ role: 'host' });

    const admin = new RoomServiceClient({ url: server.http, secret: apiSecret });
    expect(await admin.updateRoomMetadata('admin', { topic: 'standup' })).toMatchObject({
      appData: { topic: 'standup' },
    });
    for (const page of [alice, bob])
      await expect.poll(() => events(page)).toContainEqual(['room', { topic: 'standup' }]);
    const { room, connection } = await joinRoom({
      url: `${server.ws}?room=admin`,
      peerName: 'late',
      token: await admin.createToken('admin', 'late'),
    });
    expect(room.roomAppData).toEqual({ topic: 'standup' });
    room.leave();
    connection.close();
  });

  it('mute from Python: the other page’s consumer pauses, and resumes when unmuted', async () => {
    const admin = new RoomServiceClient({ url: server.http, secret: apiSecret });
    const mic = (await admin.listPeers('admin'))
      .find((p) => p.name === 'alice')!
      .producers.find((p) => p.kind === 'audio')!;
    const bobHears = () =>
      bob.evaluate(
        () =>
          [...window.demo!.consumers].find((c) => c.peer.name === 'alice' && c.kind === 'audio')!
            .remotelyPaused,
      );
    expect(await bobHears()).toBe(false);
    const mute = (muted: boolean) =>
      python(
        `import sys
from x_signaling.admin import RoomServiceClient
p = RoomServiceClient(sys.argv[1], secret=sys.argv[2]).mute_producer("admin", "alice", int(sys.argv[3]), sys.argv[4] == "1")
print(p.kind, p.paused)`,
        apiSecret,
        String(mic.id),
        muted ? '1' : '0',
      );
    expect(mute(true)).toEqual({ status: 0, out: 'audio True' });
    await expect.poll(bobHears).toBe(true);
    expect(mute(false)).toEqual({ status: 0, out: 'audio False' });
    await expect.poll(bobHears).toBe(false);
  });

  it('a missing, wrong or non-admin token gets 401 or 403, in every language, and changes nothing', async () => {
    const call = (authorization?: string) =>
      fetch(`${server.http}${ADMIN}RemovePeer`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ room: 'admin', peerName: 'bob' }),
      });
    const missing = await call();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'unauthenticated' });
    const peerToken = await createAccessToken({ secret: apiSecret, room: 'admin', peer: 'bob' });
    const notAdmin = await call(`Bearer ${peerToken}`);
    expect(notAdmin.status).toBe(403);
    expect(await notAdmin.json()).toMatchObject({ code: 'permission_denied' });

    const wrong = new RoomServiceClient({ url: server.http, secret: secret() });
    const error = await wrong.removePeer('admin', 'bob').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ code: 'unauthenticated', status: 401 });
    expect(
      python(
        `import sys
from x_signaling.admin import RoomServiceClient, AdminApiError
try:
    RoomServiceClient(sys.argv[1], token=sys.argv[2]).remove_peer("admin", "bob")
except AdminApiError as e:
    print(e.code, e.status)`,
        peerToken,
      ),
    ).toEqual({ status: 0, out: 'permission_denied 403' });
    expect(go(`token:${peerToken}`, 'remove', 'admin', 'bob', 'x')).toMatchObject({
      status: 1,
      out: 'error permission_denied 403',
    });
    expect(go(secret(), 'remove', 'admin', 'bob', 'x')).toMatchObject({
      status: 1,
      out: 'error unauthenticated 401',
    });
    // Past the limits: a body above 64 KiB, metadata above maxAppDataSize (4 KiB): 400, nothing kept.
    const { createAdminToken } = await import('@x/server');
    const admin64 = `Bearer ${await createAdminToken({ secret: apiSecret })}`;
    const huge = await fetch(`${server.http}${ADMIN}UpdateRoomMetadata`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: admin64 },
      body: JSON.stringify({ room: 'admin', appData: 'x'.repeat(70_000) }),
    });
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ code: 'invalid_argument' });
    const tooBig = await new RoomServiceClient({ url: server.http, secret: apiSecret })
      .updatePeerMetadata('admin', 'bob', { note: 'x'.repeat(5000) })
      .catch((e: unknown) => e);
    expect(tooBig).toMatchObject({ code: 'invalid_argument', status: 400 });
    expect((tooBig as Error).message).toMatch(/maxAppDataSize/);
    // Bob is still there.
    const admin = new RoomServiceClient({ url: server.http, secret: apiSecret });
    const peersNow = await admin.listPeers('admin');
    expect(peersNow.map((p) => p.name).sort()).toEqual(['alice', 'bob']);
    expect(peersNow.find((p) => p.name === 'bob')!.appData).not.toMatchObject({
      note: expect.anything(),
    });
    expect(await bob.evaluate(() => window.demo!.room.joined)).toBe(true);
    await expect(admin.listPeers('nowhere')).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
  });

  it('remove from Go: the page sees its call closed with the reason; the other page sees it leave', async () => {
    const removed = go(apiSecret, 'remove', 'admin', 'bob', 'misbehaved');
    expect(removed.status, removed.out).toBe(0);
    await expect.poll(() => bob.locator('#status').textContent()).toBe('closed: removed');
    await expect
      .poll(() => alice.evaluate(() => window.demo!.room.getPeerByName('bob') === undefined))
      .toBe(true);
    const admin = new RoomServiceClient({ url: server.http, secret: apiSecret });
    expect((await admin.listPeers('admin')).map((p) => p.name)).toEqual(['alice']);
  });
});
