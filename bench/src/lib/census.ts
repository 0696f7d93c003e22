// Counts what a server asks of its mediasoup worker: every request on the
// worker's channel, by method, and every notification the worker sends back,
// by event. With it the signaling benchmark shows *why* a server costs its
// worker what it does (requests per op), next to the CPU it measured.
//
// mediasoup 3.12 keeps each worker's channel in a private field; its class,
// lib/Channel.js of @x/mediasoup, is the same module mediasoup loads, so the
// bench wraps that class's `request` and `emit` (in its server helper
// processes only, each with one worker: the counts are the process's). A
// later mediasoup that moves or renames it makes `watchChannel` fail loudly.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { types as ms } from '@x/mediasoup';

/** Requests by method and notifications by event, since the last reset. */
export interface ChannelCounts {
  requests: Record<string, number>;
  notifications: Record<string, number>;
}

interface ChannelLike {
  request(method: string, ...rest: unknown[]): Promise<unknown>;
  emit(event: string | symbol, ...args: unknown[]): boolean;
}

let counts: ChannelCounts = { requests: {}, notifications: {} };
let wrapped = false;

/** Wraps the Channel class of @x/mediasoup once: every channel of the process is counted. */
function wrapChannelClass(): void {
  if (wrapped) return;
  const require = createRequire(import.meta.url);
  const lib = join(dirname(require.resolve('@x/mediasoup/package.json')), 'lib', 'Channel.js');
  const { Channel } = require(lib) as { Channel?: { prototype: ChannelLike } };
  const proto = Channel?.prototype;
  if (!proto || typeof proto.request !== 'function' || typeof proto.emit !== 'function')
    throw new Error(
      `mediasoup's Channel class is not where the bench counts (${lib}): mediasoup changed its internals`,
    );
  const request = proto.request;
  proto.request = function (this: ChannelLike, method: string, ...rest: unknown[]) {
    counts.requests[method] = (counts.requests[method] ?? 0) + 1;
    return request.call(this, method, ...rest);
  };
  const emit = proto.emit;
  // The channel emits each notification as (targetId, event, data).
  proto.emit = function (this: ChannelLike, target: string | symbol, ...args: unknown[]) {
    const event = typeof args[0] === 'string' ? args[0] : String(target);
    counts.notifications[event] = (counts.notifications[event] ?? 0) + 1;
    return emit.call(this, target, ...args);
  };
  wrapped = true;
}

/**
 * Starts counting the channel traffic of the process's mediasoup workers (the
 * bench's helper processes run one; `worker` names it); `take()` returns the
 * counts and resets them.
 */
export function watchChannel(_worker: ms.Worker): { take(): ChannelCounts } {
  wrapChannelClass();
  counts = { requests: {}, notifications: {} };
  return {
    take: () => {
      const taken = counts;
      counts = { requests: {}, notifications: {} };
      return taken;
    },
  };
}
