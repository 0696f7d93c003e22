import type { ClientNotification, ClientRequest, ServerResponse } from '@x/protocol';

/**
 * A peer's link to the signaling layer: mediasoup v2's entry points in
 * (`peer.receiveRequest()`, `peer.receiveNotification()`), which hand the
 * messages through untouched. What the client must hear, the signaling
 * layer learns by watching the peer's and its objects' observers.
 */
export interface PeerLink {
  /** Handles a request of the client; resolves with the response to send back. */
  receiveRequest(request: ClientRequest): Promise<ServerResponse>;
  /** Handles a notification of the client. */
  receiveNotification(notification: ClientNotification): void;
}
