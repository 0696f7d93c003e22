import {
  mediaKind,
  optionalJsonToMessage,
  type pb,
  profile as profileEnum,
  type RtpCapabilities,
  rtpCapabilitiesToMessage,
} from '@x/protocol';
import type { Consumer } from '../media/Consumer.js';
import type { DataConsumer } from '../media/DataConsumer.js';
import type { Peer } from '../media/Peer.js';
import type { Room } from '../media/Room.js';
import type { RoomMember } from '../media/RoomMember.js';

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

/** A data consumer as its client sees it. */
export function dataConsumerView(dc: DataConsumer): pb.DataConsumerInfo.$Properties {
  const stream = dc.source.sctpStreamParameters;
  const view: pb.DataConsumerInfo.$Properties = {
    id: dc.id,
    peerName: dc.source.peer.name,
    dataProducerId: dc.source.id,
    label: dc.source.label,
    protocol: dc.source.protocol,
    ordered: stream.ordered ?? true,
    appData: optionalJsonToMessage(dc.appData),
  };
  if (stream.maxPacketLifeTime !== undefined) view.maxPacketLifeTime = stream.maxPacketLifeTime;
  if (stream.maxRetransmits !== undefined) view.maxRetransmits = stream.maxRetransmits;
  return view;
}

/** The viewer's data consumers of a member's data producers. */
function dataConsumersOf(
  viewer: Peer,
  member: RoomMember,
  room: Room,
): pb.DataConsumerInfo.$Properties[] {
  const views: pb.DataConsumerInfo.$Properties[] = [];
  for (const dp of room.dataProducers) {
    if (dp.peer !== member) continue;
    const dc = viewer.getDataConsumerOf(dp);
    if (dc) views.push(dataConsumerView(dc));
  }
  return views;
}

/**
 * What `viewer` sees of a member of its room: its name, appData, and the
 * viewer's consumers of its producers.
 */
export function peerView(viewer: Peer, member: RoomMember, room: Room): pb.PeerInfo.$Properties {
  const consumers: pb.ConsumerInfo.$Properties[] = [];
  for (const producer of room.producers) {
    if (producer.peer !== member) continue;
    const consumer = viewer.getConsumerOf(producer);
    if (consumer) consumers.push(consumerView(consumer));
  }
  return {
    name: member.name,
    appData: optionalJsonToMessage(member.appData),
    consumers,
    dataConsumers: dataConsumersOf(viewer, member, room),
  };
}

/** The other members of the room, as `viewer` sees them (spies are invisible). */
export function otherPeersView(viewer: Peer, room: Room): pb.PeerInfo.$Properties[] {
  const byMember = new Map<RoomMember, pb.ConsumerInfo.$Properties[]>();
  for (const member of room.members) {
    if (member !== viewer && !member.spy) byMember.set(member, []);
  }
  // One pass over the producers, not one per member: a join answer is on the hot path.
  for (const producer of room.producers) {
    const consumers = byMember.get(producer.peer);
    const consumer = consumers && viewer.getConsumerOf(producer);
    if (consumer) consumers.push(consumerView(consumer));
  }
  return [...byMember].map(([member, consumers]) => ({
    name: member.name,
    appData: optionalJsonToMessage(member.appData),
    consumers,
    dataConsumers: dataConsumersOf(viewer, member, room),
  }));
}
