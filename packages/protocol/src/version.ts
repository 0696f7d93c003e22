/**
 * The protocol version this package speaks, sent by clients in
 * `JoinRequest.protocol_version`. It grows when the meaning of the messages
 * changes in a way the schema's compatibility rules alone do not cover.
 */
export const PROTOCOL_VERSION = 1;

/** The oldest client protocol version a server of this package accepts. */
export const MIN_PROTOCOL_VERSION = 1;

/** Whether a server of this package accepts a client speaking `version`. */
export function isCompatibleProtocolVersion(version: number): boolean {
  return (
    Number.isInteger(version) && version >= MIN_PROTOCOL_VERSION && version <= PROTOCOL_VERSION
  );
}
