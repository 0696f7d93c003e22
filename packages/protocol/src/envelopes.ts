import type { pb } from './messages.js';

// The four envelopes under names that say which way they go. The v2 entry
// points of @x/server and @x/client (`receiveRequest`, `receiveNotification`,
// the `request` and `notify` events) hand them through untouched, so the
// classes that carry those entry points need the names, never the messages'
// contents.

/** A request of a client, with its id (v2's request object). */
export type ClientRequest = pb.Request;
/** The server's answer to a {@link ClientRequest}: its id and an ok payload or an error. */
export type ServerResponse = pb.Response;
/** A notification from a client to the server. */
export type ClientNotification = pb.ClientNotification;
/** A notification from the server to a client. */
export type ServerNotification = pb.ServerNotification;
