import {
  mediaKind,
  optionalJsonToMessage,
  type pb,
  profile as profileEnum,
  type RtpCapabilities,
  rtpCapabilitiesToMessage,
} from '@x/protocol';
import type { Consumer } from '../media/Consumer.js';
import type { Peer } from '../media/Peer.js';
import type { Room } from '../media/Room.js';

// What a client is shown of the domain: the protocol views of rooms, peers
// and consumers, written once for the join, resume and notifications.

/** The `queryRoom` answer: a room's capabilities. */
export function rtpCapabilitiesView(
  rtpCapabilities: RtpCapabilities,
): pb.QueryRoomResponse.$Properties {
  return {
    rtpCapabilities: rtpCapabilitiesToMessage(rtpCapabilities),
    mandatoryCodecPayloadTypes: [],
  };
}

/** The `queryRoom` answer of an open room. */
export function queryRoomView(room: Room): pb.QueryRoomResponse.$Properties {
  return rtpCapabilitiesView(room.rtpCapabilities);
}

/** A consumer as its client sees it. */
export function consumerView(consumer: Consumer): pb.ConsumerInfo.$Properties {
  return {
    id: consumer.id,
    kind: mediaKind.toMessage(consumer.kind, 'kind'),
    peerName: consumer.source.peer.name,
    paused: consumer.pausedByServer,
    preferredProfile: profileEnum.toMessage(consumer.preferredProfile, 'preferredProfile'),
    effectiveProfile: profileEnum.toMessage(consumer.effectiveProfile, 'effectiveProfile'),
    appData: optionalJsonToMessage(consumer.appData),
    supported: consumer.supported,
    simulcast: consumer.source.simulcast,
  };
}

/** What `viewer` sees of `peer`: its name, appData, and the viewer's consumers of its producers. */
export function peerView(viewer: Peer, peer: Peer): pb.PeerInfo.$Properties {
  const consumers: pb.ConsumerInfo.$Properties[] = [];
  for (const producer of peer.producers) {
    const consumer = viewer.getConsumerOf(producer);
    if (consumer) consumers.push(consumerView(consumer));
  }
  return { name: peer.name, appData: optionalJsonToMessage(peer.appData), consumers };
}

/** The other peers of the room, as `viewer` sees them (spies are invisible). */
export function otherPeersView(viewer: Peer): pb.PeerInfo.$Properties[] {
  const views: pb.PeerInfo.$Properties[] = [];
  for (const peer of viewer.room.peers) {
    if (peer !== viewer && !peer.spy) views.push(peerView(viewer, peer));
  }
  return views;
}
