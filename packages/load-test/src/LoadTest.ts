import { connectionsOf, installConnectionProbe } from './connections.js';
import { type ParticipantSpec, type ParticipantState, startParticipant } from './participants.js';
import { metricsUrlOf, workerCpuPercents, workerCpuSeconds } from './serverCpu.js';
import {
  inboundSamples,
  type Percentiles,
  percentiles,
  type TrackFigures,
  type TrackSample,
  trackFigures,
} from './stats.js';
import type { TokenSource } from './tokens.js';

/** What to simulate. */
export interface LoadTestOptions {
  /** Signaling URL, with or without the room (`ws://host:7880/ws`); `room=<room>` is set per room. */
  url: string;
  tokens: TokenSource;
  /** Room name (with several rooms: `<room>-1`, `<room>-2`, …). */
  room: string;
  rooms: number;
  /** Per room. */
  publishers: number;
  /** Per room. */
  subscribers: number;
  video?: { width: number; height: number; fps: number; simulcast: boolean };
  audio: boolean;
  /**
   * Subscribers join as spies: they receive and nobody is told about them,
   * as a webinar's viewers should (otherwise every join notifies every peer).
   */
  spies?: boolean;
  /** How long media is measured once everyone joined, in seconds. */
  durationSeconds: number;
  /** Where the server's metrics are (default: the signaling URL's host, `/metrics`). */
  metricsUrl?: string;
  /** Called about once a second with a one-line summary. */
  progress?: (line: string) => void;
}

/** What the load test measured (`--json` prints it). */
export interface LoadTestReport {
  url: string;
  rooms: string[];
  publishers: number;
  subscribers: number;
  durationSeconds: number;
  joins: { attempted: number; succeeded: number; failed: number; errors: string[] };
  joinMs: Percentiles | null;
  firstFrameMs: Percentiles | null;
  tracks: TrackFigures[];
  totals: {
    tracks: number;
    bitrateKbps: number;
    lossPercent: number;
    /** RTP packets received per second, all tracks together. */
    packetsPerSecond: number;
    jitterMs: Percentiles | null;
    videoFps: Percentiles | null;
  };
  /** The server's media workers, from its /metrics (null when it has none). */
  server: {
    /** All workers together, in % of one core. */
    workerCpuPercent: number;
    /** Each worker, in % of a core, busiest first. */
    workers: number[];
  } | null;
  /**
   * This process (the simulated participants: their encoders, decoders and
   * network threads), in % of one core. Near the machine's cores, the
   * figures measure the load tester, not the server.
   */
  client: { cpuPercent: number };
}

async function samplesOf(state: ParticipantState): Promise<TrackSample[]> {
  const all = await Promise.all(
    connectionsOf(state.spec.name).map((pc) => inboundSamples(pc).catch(() => [])),
  );
  return all.flat();
}

function roomUrl(url: string, room: string): string {
  const target = new URL(url);
  target.searchParams.set('room', room);
  return target.toString();
}

/** Runs a load test: joins, measures for `durationSeconds`, leaves; resolves with the report. */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  installConnectionProbe();
  const rooms = Array.from({ length: options.rooms }, (_, i) =>
    options.rooms === 1 ? options.room : `${options.room}-${i + 1}`,
  );
  const specs: ParticipantSpec[] = rooms.flatMap((room) => [
    ...Array.from({ length: options.publishers }, (_, i) => ({
      name: `pub-${i + 1}`,
      room,
      role: 'publisher' as const,
      url: roomUrl(options.url, room),
      tokens: options.tokens,
      video: options.video,
      audio: options.audio,
    })),
    ...Array.from({ length: options.subscribers }, (_, i) => ({
      name: `sub-${i + 1}`,
      room,
      role: 'subscriber' as const,
      url: roomUrl(options.url, room),
      tokens: options.tokens,
      audio: false,
      spy: options.spies === true,
    })),
  ]);
  // Participants are named per room; the probe keys them by room and name.
  for (const spec of specs)
    spec.name = options.rooms === 1 ? spec.name : `${spec.name}@${spec.room}`;
  const states: ParticipantState[] = [];
  const report = (line: string) => options.progress?.(line);
  const summary = async () => {
    const joined = states.filter((s) => s.joinMs !== undefined && !s.error).length;
    const tracks = states.reduce((sum, s) => sum + s.tracks, 0);
    return `joined ${joined}/${specs.length}, ${tracks} tracks received, ${states.filter((s) => s.error).length} failed`;
  };
  const ticker = setInterval(() => void summary().then(report), 1000);
  try {
    // Publishers first, then subscribers, a few at a time (as people arrive, not all in one millisecond).
    for (const role of ['publisher', 'subscriber'] as const) {
      const group = specs.filter((s) => s.role === role);
      for (let i = 0; i < group.length; i += 4)
        states.push(...(await Promise.all(group.slice(i, i + 4).map(startParticipant))));
    }
    const subscribers = states.filter((s) => s.spec.role === 'subscriber' && !s.error);
    const expectedTracks = options.publishers * ((options.video ? 1 : 0) + (options.audio ? 1 : 0));
    // Everyone's media to start flowing (or 15 s).
    const settleBy = Date.now() + 15_000;
    while (
      Date.now() < settleBy &&
      subscribers.some(
        (s) => s.tracks < expectedTracks || (options.video && s.firstFrameMs === undefined),
      )
    )
      await new Promise((r) => setTimeout(r, 200));
    const metricsUrl = options.metricsUrl ?? metricsUrlOf(options.url);
    const cpu0 = await workerCpuSeconds(metricsUrl);
    const client0 = process.cpuUsage();
    const t0 = Date.now();
    const first = await Promise.all(subscribers.map(samplesOf));
    await new Promise((r) => setTimeout(r, options.durationSeconds * 1000));
    const last = await Promise.all(subscribers.map(samplesOf));
    const cpu1 = await workerCpuSeconds(metricsUrl);
    const elapsed = (Date.now() - t0) / 1000;
    const client = process.cpuUsage(client0);
    const tracks: TrackFigures[] = [];
    subscribers.forEach((state, i) => {
      for (const end of last[i]!) {
        const start = first[i]!.find((s) => s.id === end.id);
        if (start) tracks.push(trackFigures(state.spec.name, start, end));
      }
    });
    const received = tracks.reduce((s, t) => s + t.packetsReceived, 0);
    const lost = tracks.reduce((s, t) => s + t.packetsLost, 0);
    const failed = states.filter((s) => s.error);
    return {
      url: options.url,
      rooms,
      publishers: options.publishers * rooms.length,
      subscribers: options.subscribers * rooms.length,
      durationSeconds: Math.round(elapsed * 10) / 10,
      joins: {
        attempted: specs.length,
        succeeded: states.filter((s) => s.joinMs !== undefined).length,
        failed: failed.length,
        errors: [...new Set(failed.map((s) => `${s.spec.name}: ${s.error}`))].slice(0, 20),
      },
      joinMs: percentiles(states.flatMap((s) => (s.joinMs === undefined ? [] : [s.joinMs]))),
      firstFrameMs: percentiles(
        states.flatMap((s) => (s.firstFrameMs === undefined ? [] : [s.firstFrameMs])),
      ),
      tracks,
      totals: {
        tracks: tracks.length,
        bitrateKbps: tracks.reduce((s, t) => s + t.bitrateKbps, 0),
        lossPercent: received + lost > 0 ? (lost / (received + lost)) * 100 : 0,
        packetsPerSecond: received / elapsed,
        jitterMs: percentiles(tracks.map((t) => t.jitterMs)),
        videoFps: percentiles(tracks.flatMap((t) => (t.fps === null ? [] : [t.fps]))),
      },
      server: (() => {
        if (!cpu0 || !cpu1) return null;
        const workers = workerCpuPercents(cpu0, cpu1, elapsed);
        return { workerCpuPercent: workers.reduce((a, b) => a + b, 0), workers };
      })(),
      client: { cpuPercent: ((client.user + client.system) / 1e6 / elapsed) * 100 },
    };
  } finally {
    clearInterval(ticker);
    await Promise.all(states.map((s) => s.stop()));
  }
}
