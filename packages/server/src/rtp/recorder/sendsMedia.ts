import type { Producer } from '../../media/Producer.js';
import type { RtpStreamer } from '../../media/RtpStreamer.js';

type Counter = () => Promise<number>;

/** Polls `count` until `done(count)` holds, for at most `withinMs`. */
async function poll(
  count: Counter,
  done: (n: number, first: number) => boolean,
  withinMs: number,
  gone: () => boolean,
): Promise<boolean> {
  try {
    const first = await count();
    if (done(first, first)) return true;
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      if (gone()) return false;
      if (done(await count(), first)) return true;
    }
  } catch {
    // Closed while asked: it sends nothing.
  }
  return false;
}

const sum = (stats: { type: string; [k: string]: unknown }[], type: string, member: string) =>
  stats.filter((s) => s.type === type).reduce((n, s) => n + (Number(s[member]) || 0), 0);

/**
 * Whether a producer sends media now: it is not paused and its received
 * bytes grow within `withinMs` (a stopped camera keeps its producer but sends
 * nothing). Resolves as soon as they grow.
 */
export function sendsMedia(producer: Producer, withinMs: number): Promise<boolean> {
  if (producer.closed || producer.paused) return Promise.resolve(false);
  return poll(
    async () => sum(await producer.getStats(), 'inbound-rtp', 'byteCount'),
    (n, first) => n > first,
    withinMs,
    () => producer.closed || producer.paused,
  );
}

/** Whether a (resumed) streamer has sent packets, or does within `withinMs`. */
export function streams(streamer: RtpStreamer, withinMs: number): Promise<boolean> {
  return poll(
    async () => sum(await streamer.consumer.getStats(), 'outbound-rtp', 'packetCount'),
    (n) => n > 0,
    withinMs,
    () => streamer.closed,
  );
}

/**
 * RTP packets the streamers have sent; undefined when that cannot be told
 * any more (a streamer closed, or its worker died).
 */
export async function packetsSent(streamers: readonly RtpStreamer[]): Promise<number | undefined> {
  if (streamers.some((s) => s.closed)) return undefined;
  try {
    let count = 0;
    for (const streamer of streamers) {
      const stats = await streamer.consumer.getStats();
      // A consumer whose worker died answers nothing.
      if (!stats.some((s) => s.type === 'outbound-rtp')) return undefined;
      count += sum(stats, 'outbound-rtp', 'packetCount');
    }
    return count;
  } catch {
    return undefined;
  }
}
