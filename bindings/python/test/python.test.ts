// The Python package as a user gets it: the wheel the build made, installed
// into a fresh virtual environment (with Debian's protobuf and websockets
// from the system), run against a real @x/server that requires access
// tokens and lets clients use plain RTP on this machine with the token's
// permission: its unit tests, and the example that sends ffmpeg's RTP into
// a room through a plain transport, checked on the Node side with an
// RtpStreamer whose packets a UDP socket of this test counts.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@x/protocol';
import {
  createAccessToken,
  type Peer,
  type Producer,
  type RtpStreamer,
  roomFromUrl,
  Server,
  WebSocketEndpoint,
} from '@x/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const systemPython = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'x-python-'));
const venvPython = join(work, 'venv/bin/python');
const secret = randomBytes(32).toString('hex');

let server: Server;
let endpoint: WebSocketEndpoint;
let baseUrl: string;
const children: ChildProcess[] = [];

/** Runs a command to its end, without blocking the event loop: the server runs in this process. */
function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: pkgDir, env: { ...process.env, ...env } });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', (error) => done({ status: null, output: `${output}${error.message}` }));
    child.on('close', (status) => done({ status, output }));
  });
}

async function mustRun(
  command: string,
  args: string[],
  what: string,
  debianPackage: string,
): Promise<void> {
  const result = await run(command, args);
  if (result.status !== 0) {
    throw new Error(
      `${what} failed (install the Debian package ${debianPackage}; pnpm system-deps does):\n${result.output}`,
    );
  }
}

beforeAll(async () => {
  const wheels = readdirSync(join(pkgDir, 'dist'), { withFileTypes: true })
    .filter((f) => f.name.endsWith('.whl'))
    .map((f) => join(pkgDir, 'dist', f.name));
  if (wheels.length !== 1) {
    throw new Error(`expected one wheel in dist/, found ${wheels.length}: run pnpm build first`);
  }
  await mustRun('ffmpeg', ['-version'], 'ffmpeg', 'ffmpeg');
  await mustRun(
    systemPython,
    ['-c', 'import aiortc, av, numpy'],
    'importing aiortc, av and numpy (x_signaling.media)',
    'python3-aiortc python3-av',
  );
  await mustRun(
    systemPython,
    ['-m', 'venv', '--system-site-packages', join(work, 'venv')],
    'python3 -m venv',
    'python3-venv',
  );
  await mustRun(
    venvPython,
    ['-m', 'pip', 'install', '--quiet', '--no-index', '--no-cache-dir', wheels[0]!],
    // --no-index: its dependencies must already be there, from the system.
    'pip install of the wheel',
    'python3-protobuf python3-websockets',
  );

  server = await Server.create({
    numWorkers: 1,
    logLevel: 'warn',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    rtcMinPort: 44000,
    rtcMaxPort: 44999,
    // Clients may use plain RTP with this machine only, and only with a
    // token that says canUsePlainRtp.
    clientPlainRtp: { allowedNetworks: ['127.0.0.0/8'] },
  });
  endpoint = await WebSocketEndpoint.listen({
    server,
    port: 0,
    host: '127.0.0.1',
    selectRoom: roomFromUrl(server, { closeWhenEmpty: false }),
    auth: { secret },
    // Short, so that the media tests see a session expire and the room joined again.
    sessionGraceMs: 3000,
  });
  baseUrl = `ws://127.0.0.1:${endpoint.port}`;
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await endpoint?.close();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the installed wheel', () => {
  it('passes its tests: package, framing, JSON, the client against the server, limits, media on aiortc', async () => {
    const token = (room: string, peer: string, canUsePlainRtp = false) =>
      createAccessToken({ secret, room, peer, canUsePlainRtp });
    const tokens = {
      'py-a': await token('unit', 'py-a', true),
      'py-b': await token('unit', 'py-b'),
      'py-elsewhere': await token('elsewhere', 'py-elsewhere'),
    };
    // Run from a folder of its own: `x_signaling` must come from the venv, not from src/.
    const mediaTokens: Record<string, Record<string, string>> = {};
    for (const room of [
      'media-pair',
      'media-push',
      'media-data',
      'media-resume',
      'media-rejoin',
      'media-close',
    ])
      mediaTokens[room] = { a: await token(room, 'a'), b: await token(room, 'b') };
    const result = await run(
      venvPython,
      [
        '-m',
        'unittest',
        'discover',
        '-v',
        '-s',
        join(pkgDir, 'tests'),
        '-t',
        join(pkgDir, 'tests'),
      ],
      {
        X_SERVER_URL: baseUrl,
        X_TOKENS: JSON.stringify(tokens),
        X_MEDIA_TOKENS: JSON.stringify(mediaTokens),
        X_EXPECTED_PROTOCOL_VERSION: String(PROTOCOL_VERSION),
      },
    );
    console.log(result.output.trim());
    expect(result.status, result.output).toBe(0);
    const ran = Number(/^Ran (\d+) tests? in/m.exec(result.output)?.[1]);
    expect(ran).toBeGreaterThanOrEqual(37);
    expect(result.output).toMatch(/^OK$/m);
  });
});

/** A UDP socket that counts the RTP packets it gets (not RTCP, not mediasoup's probation). */
async function rtpSink(): Promise<{
  socket: Socket;
  port: number;
  packets: { ssrc: number; payloadType: number; timestamp: number }[];
}> {
  const socket = createSocket('udp4');
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', () => done()));
  const packets: { ssrc: number; payloadType: number; timestamp: number }[] = [];
  socket.on('message', (m) => {
    const payloadType = m[1]! & 0x7f;
    if (payloadType >= 72 && payloadType <= 79) return; // RTCP
    const ssrc = m.readUInt32BE(8);
    if (ssrc === 1234 && payloadType === 127) return; // bandwidth probation
    packets.push({ ssrc, payloadType, timestamp: m.readUInt32BE(4) });
  });
  return { socket, port: socket.address().port, packets };
}

/** ffmpeg sending a VP8 test pattern as RTP to an RTP ingest (comedia: it learns ffmpeg's address). */
function ffmpegToIngest(url: string, payloadType: number, ssrc: number): ChildProcess {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '100k'],
      ...['-payload_type', String(payloadType), '-ssrc', String(ssrc), '-f', 'rtp', url],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(child);
  return child;
}

describe('examples/send_testsrc.py', () => {
  it("joins with a token, sees a Node peer's producer appear, and sends ffmpeg RTP that a Node RtpStreamer receives", async () => {
    const room = await server.createRoom({ id: 'example' });
    // The example's only credential: it may publish, over plain RTP.
    const token = await createAccessToken({
      secret,
      room: 'example',
      peer: 'py-camera',
      canUsePlainRtp: true,
    });

    // The Node side: when the Python peer produces, an RtpStreamer of its
    // producer sends to a UDP socket of this test.
    const sink = await rtpSink();
    let pythonPeer: Peer | undefined;
    let pythonProducer: Producer | undefined;
    // What the streamer's consumer sends, read while it exists (it closes with the producer).
    const streamed = new Promise<RtpStreamer['consumer']['rtpParameters']>(
      (resolveStreamer, rejectStreamer) => {
        room.on('newpeer', (peer) => {
          if (peer.name !== 'py-camera') return;
          pythonPeer = peer;
          peer.on('newproducer', (producer) => {
            pythonProducer = producer;
            room
              .createRtpStreamer(producer, { remoteIP: '127.0.0.1', remotePort: sink.port })
              .then((streamer) => resolveStreamer(streamer.consumer.rtpParameters), rejectStreamer);
          });
        });
      },
    );
    // Once the Python peer has joined (it says so), a Node peer comes in and
    // produces: a server-side peer whose RTP ingest ffmpeg feeds.
    const startNodePeer = async () => {
      const ingest = await room.createRtpIngest({
        peerName: 'node-camera',
        kind: 'video',
        codec: { mimeType: 'video/VP8', payloadType: 102, clockRate: 90000 },
        ssrc: 5555,
        appData: { from: 'node' },
      });
      ffmpegToIngest(ingest.url, 102, 5555);
    };

    const example = spawn(
      venvPython,
      [
        join(pkgDir, 'examples/send_testsrc.py'),
        ...['--url', `${baseUrl}/?roomId=example`, '--peer', 'py-camera'],
        ...['--seconds', '5', '--wait-for-producer'],
      ],
      { cwd: work, env: { ...process.env, X_TOKEN: token } },
    );
    children.push(example);
    let stdout = '';
    let stderr = '';
    let nodePeer: Promise<void> | undefined;
    example.stdout.on('data', (d) => {
      stdout += d;
      if (!nodePeer && stdout.includes('"event": "joined"')) nodePeer = startNodePeer();
    });
    example.stderr.on('data', (d) => {
      stderr += d;
    });
    const exitCode = await new Promise<number | null>((done) => example.on('close', done));
    await nodePeer;
    type Event = { event: string; [field: string]: unknown };
    const events = stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Event);
    console.log(stdout.trim());
    expect(exitCode, `example failed:\n${stdout}\n${stderr}`).toBe(0);
    const event = (name: string): Event => {
      const found = events.find((e) => e.event === name);
      if (!found) throw new Error(`the example printed no ${name} event:\n${stdout}\n${stderr}`);
      return found;
    };

    // It joined an empty room with its token, then saw the Node peer come
    // in and its producer appear.
    expect(event('joined')).toEqual({ event: 'joined', peers: [], app_data: [] });
    expect(event('new_peer')).toEqual({ event: 'new_peer', name: 'node-camera', consumers: 0 });
    expect(event('new_consumer')).toEqual({
      event: 'new_consumer',
      peer: 'node-camera',
      kind: 'MEDIA_KIND_VIDEO',
      consumer: expect.any(Number),
    });
    expect(events.findIndex((e) => e.event === 'new_consumer')).toBeLessThan(
      events.findIndex((e) => e.event === 'producer'),
    );

    // Its producer is what it announced, on its plain transport; it left at the end.
    const produced = event('producer');
    const transport = event('transport');
    expect(pythonProducer?.id).toBe(produced.id);
    expect(pythonProducer?.transport.id).toBe(transport.id);
    expect(pythonProducer?.rtpParameters.encodings?.[0]?.ssrc).toBe(produced.ssrc);
    expect(pythonProducer?.rtpParameters.codecs[0]).toMatchObject({
      mimeType: 'video/VP8',
      payloadType: produced.payload_type,
    });
    expect(event('sent')).toMatchObject({ ffmpeg_exit: 0 });
    expect(events.at(-1)).toEqual({ event: 'left' });
    expect(pythonPeer?.closed).toBe(true);

    // ffmpeg's RTP went through the room: the streamer's consumer sent it on.
    const consumer = await streamed;
    const ssrc = consumer?.encodings?.[0]?.ssrc;
    const payloadType = consumer?.codecs[0]?.payloadType;
    expect(ssrc).toEqual(expect.any(Number));
    expect(payloadType).toEqual(expect.any(Number));
    const frames = new Set(sink.packets.map((p) => p.timestamp)).size;
    console.log(
      `Node RtpStreamer received ${sink.packets.length} RTP packets, ${frames} video frames (ssrc ${ssrc}, payload type ${payloadType})`,
    );
    // ffmpeg sends 5 s at 15 fps: 75 frames (one RTP timestamp each), each in
    // one packet or more. 60 leaves room for a slow start on a busy machine.
    expect(frames).toBeGreaterThanOrEqual(60);
    expect(sink.packets.length).toBeGreaterThanOrEqual(frames);
    expect(new Set(sink.packets.map((p) => p.ssrc))).toEqual(new Set([ssrc]));
    expect(new Set(sink.packets.map((p) => p.payloadType))).toEqual(new Set([payloadType]));
    sink.socket.close();
  });
});

describe('data messages of the server app', () => {
  it('a Python client receives what the server sends to the room, text and bytes, over signaling', async () => {
    const room = await server.createRoom({ id: 'data' });
    const token = await createAccessToken({ secret, room: 'data', peer: 'py-listener' });
    // The client as a user writes it: join, then read notifications until two data messages came.
    const script = `
import asyncio, json, os, sys
from x_signaling import Client

async def main():
    async with await Client.connect(sys.argv[1]) as client:
        room = await client.query_room(os.environ["X_TOKEN"])
        await client.join("py-listener", rtp_capabilities=room.rtp_capabilities, token=os.environ["X_TOKEN"])
        print(json.dumps({"event": "joined"}), flush=True)
        for _ in range(2):
            m = await client.wait_for("data_message", timeout=20)
            kind = m.WhichOneof("payload")
            value = m.text if kind == "text" else list(m.binary)
            print(json.dumps({"event": "data", "label": m.label, kind: value}), flush=True)
        await client.leave()

asyncio.run(main())
`;
    const child = spawn(venvPython, ['-c', script, `${baseUrl}/?roomId=data`], {
      cwd: work,
      env: { ...process.env, X_TOKEN: token },
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && stdout.includes('"joined"')) {
        sent = true;
        room.sendData('hello, python', { label: 'moderator' });
        room.sendData(new Uint8Array([0, 1, 254, 255]), { label: 'state', to: ['py-listener'] });
      }
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exitCode = await new Promise<number | null>((done) => child.on('close', done));
    expect(exitCode, `${stdout}\n${stderr}`).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.slice(1)).toEqual([
      { event: 'data', label: 'moderator', text: 'hello, python' },
      { event: 'data', label: 'state', binary: [0, 1, 254, 255] },
    ]);
    room.close();
  });
});
