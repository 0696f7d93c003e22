// Counts what a server asks of its mediasoup worker: every request on the
// worker's channel, by method, and every notification the worker sends back,
// by event. With it the signaling benchmark shows *why* a server costs its
// worker what it does (requests per op), next to the CPU it measured.
//
// mediasoup 3.8.4 keeps the channel in `worker._channel` (not public API):
// the bench wraps its `request` and `emit` in the server helper processes
// only. A later mediasoup may rename it: `watchChannel` then fails loudly.
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

/** Starts counting a worker's channel traffic; `take()` returns the counts and resets them. */
export function watchChannel(worker: ms.Worker): { take(): ChannelCounts } {
  const channel = (worker as unknown as { _channel?: ChannelLike })._channel;
  if (!channel || typeof channel.request !== 'function' || typeof channel.emit !== 'function')
    throw new Error('mediasoup worker has no _channel to count (mediasoup changed its internals)');
  let counts: ChannelCounts = { requests: {}, notifications: {} };
  const request = channel.request.bind(channel);
  channel.request = (method, ...rest) => {
    counts.requests[method] = (counts.requests[method] ?? 0) + 1;
    return request(method, ...rest);
  };
  const emit = channel.emit.bind(channel);
  // The channel emits each notification as (targetId, event, data).
  channel.emit = (target, ...args) => {
    const event = typeof args[0] === 'string' ? args[0] : String(target);
    counts.notifications[event] = (counts.notifications[event] ?? 0) + 1;
    return emit(target, ...args);
  };
  return {
    take: () => {
      const taken = counts;
      counts = { requests: {}, notifications: {} };
      return taken;
    },
  };
}
