import type { AppData } from '@x/protocol';

/**
 * Another participant of the room as the consumers of its producers see it
 * (a {@link Peer}): who it is, and whether it is still in the room.
 */
export interface RoomMember {
  /** Peer name. */
  readonly name: string;
  /** The peer's appData from its join. */
  readonly appData: AppData | undefined;
  /** Whether the peer has left. */
  readonly closed: boolean;
}
