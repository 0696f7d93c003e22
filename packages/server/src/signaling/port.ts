import type { SignalingPort } from '../media/Room.js';
import { PeerSignaling } from './PeerSignaling.js';
import { receiveRoomRequest } from './RoomRequests.js';

/** The protobuf signaling layer, plugged into the domain by the Server. */
export const protobufSignaling: SignalingPort = {
  linkPeer: (peer, room) => new PeerSignaling(peer, room),
  receiveRoomRequest,
};
