#!/usr/bin/env node
// x-load-test: simulated publishers and subscribers against a running x SFU
// (Node clients on libwebrtc), then join and first-frame times, bitrate,
// frame rate, loss and jitter per track, and the server's CPU when its
// /metrics answer. Its traffic goes only to the URLs given.
import { parseArgs } from 'node:util';
import { runLoadTest } from './LoadTest.js';
import { formatReport } from './report.js';
import { tokensFromSecret, tokensFromUrl } from './tokens.js';

const USAGE = `usage: x-load-test --url ws://host:7880/ws (--secret <API secret> | --token-url <url>) [options]
  --room <name>          room name (default load-test); with --rooms N: <name>-1 … <name>-N
  --rooms <n>            rooms (default 1)
  --publishers <n>       publishers per room (default 1)
  --subscribers <n>      subscribers per room (default 2)
  --spies                subscribers join as spies (invisible to the others, as a webinar's viewers)
  --video <WxH@fps>      publishers' synthetic video (default 640x360@30); --no-video for none
  --simulcast            publish video with simulcast
  --no-audio             publishers send no tone
  --duration <s>         seconds of media measured once everyone joined (default 10)
  --metrics-url <url>    the server's Prometheus metrics (default: the URL's host, /metrics)
  --json                 print the report as JSON (for CI)
Tokens: --secret signs them here (the server's API secret, as createAccessToken does);
--token-url asks the app's endpoint: GET <url>?room=<room>&peer=<name> -> {"token": "..."}.`;

function fail(message: string): never {
  process.stderr.write(`x-load-test: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function count(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 10_000)
    fail(`--${name} must be a whole number from ${min} to 10000`);
  return n;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    secret: { type: 'string' },
    'token-url': { type: 'string' },
    room: { type: 'string', default: 'load-test' },
    rooms: { type: 'string' },
    publishers: { type: 'string' },
    subscribers: { type: 'string' },
    video: { type: 'string', default: '640x360@30' },
    'no-video': { type: 'boolean' },
    simulcast: { type: 'boolean' },
    'no-audio': { type: 'boolean' },
    spies: { type: 'boolean' },
    duration: { type: 'string' },
    'metrics-url': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.url || !/^wss?:\/\//.test(values.url))
  fail("--url must be the server's ws:// or wss:// signaling URL");
if (!values.secret === !values['token-url']) fail('give --secret or --token-url (one of them)');
const video = /^(\d+)x(\d+)(?:@(\d+))?$/.exec(values.video ?? '');
if (!values['no-video'] && !video)
  fail('--video is WIDTHxHEIGHT or WIDTHxHEIGHT@FPS, e.g. 1280x720@30');
const json = values.json === true;

const report = await runLoadTest({
  url: values.url,
  tokens: values.secret ? tokensFromSecret(values.secret) : tokensFromUrl(values['token-url']!),
  room: values.room!,
  rooms: count(values.rooms, 'rooms', 1, 1),
  publishers: count(values.publishers, 'publishers', 1),
  subscribers: count(values.subscribers, 'subscribers', 2),
  video: values['no-video']
    ? undefined
    : {
        width: Number(video![1]),
        height: Number(video![2]),
        fps: Number(video![3] ?? 30),
        simulcast: values.simulcast === true,
      },
  audio: values['no-audio'] !== true,
  spies: values.spies === true,
  durationSeconds: count(values.duration, 'duration', 10, 1),
  metricsUrl: values['metrics-url'],
  progress: json ? undefined : (line) => process.stderr.write(`\r${line}   `),
});
if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`\n${formatReport(report)}\n`);
process.exit(report.joins.failed > 0 ? 1 : 0);
