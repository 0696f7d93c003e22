/**
 * The protocol version this package speaks, sent by clients in
 * `JoinRequest.protocol_version`. It grows when the meaning of the messages
 * changes in a way the schema's compatibility rules alone do not cover.
 *
 * - 1: the first version.
 * - 2: `Stats` types mediasoup's `bitrateByLayer` (`bitrate_by_layer`, a
 *   list of `LayerBitrate`), `rtpPacketLossReceived` and `rtpPacketLossSent`,
 *   which travelled in `extra`. A server sends them in `extra` still to a
 *   client that joined with version 1 (it does not know the new fields), so
 *   such a client gets the same stats as before.
 */
export const PROTOCOL_VERSION = 2;

/** The oldest client protocol version a server of this package accepts. */
export const MIN_PROTOCOL_VERSION = 1;

/** Whether a server of this package accepts a client speaking `version`. */
export function isCompatibleProtocolVersion(version: number): boolean {
  return (
    Number.isInteger(version) && version >= MIN_PROTOCOL_VERSION && version <= PROTOCOL_VERSION
  );
}
