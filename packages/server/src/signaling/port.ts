import type { SignalingPort } from '../media/Room.js';
import { PeerSignaling } from './PeerSignaling.js';
import { receiveRoomRequest } from './RoomRequests.js';
import type { IceServer } from './turn.js';

/**
 * The protobuf signaling layer, plugged into the domain by the Server; joins
 * through the v2 entry point (`room.receiveRequest()`) get `iceServers()`.
 */
export function protobufSignaling(iceServers: () => IceServer[]): SignalingPort {
  return {
    linkPeer: (peer, room) => new PeerSignaling(peer, room),
    receiveRoomRequest: (room, request, options) =>
      receiveRoomRequest(room, request, { ...options, iceServers: iceServers() }),
  };
}
