import type { pb } from '@x/protocol';

/** @internal How a room's objects talk to the server: requests (answered) and notifications. */
export interface Signal {
  /** Sends a request; resolves with the response, rejects with RequestError or TimeoutError. */
  request(body: Omit<pb.Request.$Properties, 'id'>): Promise<pb.Response>;
  /** Sends a notification (dropped while the room is not joined). */
  notify(body: pb.ClientNotification.$Properties): void;
}
