import type { AppData } from '@x/protocol';
import type { DataProducer } from './DataProducer.js';
import type { Producer } from './Producer.js';
import type { PreferredProfile } from './profiles.js';
import type { RoomMember } from './RoomMember.js';

/**
 * @internal What a room hears of each of its members, apart from their
 * events (which an app may remove): given to a Peer when the room creates it,
 * and to a peer of another node when the cluster adds it. The room's
 * consumers follow the members' producers through these.
 */
export interface MemberHooks {
  /** The member has a new producer: the room's other peers get a consumer of it. */
  producerAdded(producer: Producer): void;
  /** One of its producers paused or resumed. */
  producerPauseChanged(producer: Producer, appData: AppData | undefined): void;
  /** The app set the profile the consumers of one of its producers prefer. */
  producerPreferredProfileSet(producer: Producer, profile: PreferredProfile): void;
  /** One of its producers closed. */
  producerClosed(producer: Producer): void;
  /** It has a new data producer: the room's other peers get a data consumer of it. */
  dataProducerAdded(dataProducer: DataProducer): void;
  /** One of its data producers closed. */
  dataProducerClosed(dataProducer: DataProducer): void;
  /** The member left the room. */
  closed(member: RoomMember, appData: AppData | undefined): void;
}
