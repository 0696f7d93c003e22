import type { SignalingPort } from '../media/SignalingPort.js';
import { PeerSignaling } from './PeerSignaling.js';
import { receiveRoomRequest } from './RoomRequests.js';

/** The protobuf signaling layer, plugged into the domain by the Server. */
export const protobufSignaling: SignalingPort = {
  linkPeer: (peer) => new PeerSignaling(peer),
  receiveRoomRequest,
};
