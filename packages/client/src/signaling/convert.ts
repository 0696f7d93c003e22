// Protobuf → domain for what the server says of peers, consumers and errors.
// The RTP, ICE, DTLS, stats and JSON conversions come from @x/protocol;
// these are the client's own views on top of them.
import {
  closeReason,
  errorCodeName,
  jsonFromMessage,
  mediaKind,
  type pb,
  profile,
} from '@x/protocol';
import { RequestError } from '../room/errors.js';
import type { PreferredProfile } from '../room/profiles.js';
import type { CloseReason } from '../room/roomOptions.js';
import type { ConsumerData, DataConsumerData, PeerData, ResumedState } from '../room/Signal.js';

/** A server Error message as a {@link RequestError}. */
export function requestErrorFromMessage(error: pb.Error | null | undefined): RequestError {
  return new RequestError(
    errorCodeName(error?.code),
    error?.message || 'the server refused the request',
    error?.field,
    error?.redirectUrl,
  );
}

/** The reason the server gave; one this version does not know is 'unspecified', never an error. */
export function closeReasonFromMessage(reason: number): CloseReason {
  try {
    return closeReason.fromMessage(reason, 'reason');
  } catch {
    return 'unspecified';
  }
}

/** A profile a consumer prefers ('default' when the server left it unspecified). */
export function preferredProfileFromMessage(value: number, field: string): PreferredProfile {
  return value ? (profile.fromMessage(value, field) as PreferredProfile) : 'default';
}

/** ConsumerInfo → what the room needs to make a Consumer. */
export function consumerFromMessage(info: pb.ConsumerInfo): ConsumerData {
  return {
    id: info.id,
    peerName: info.peerName,
    kind: mediaKind.fromMessage(info.kind, 'kind'),
    paused: info.paused,
    preferredProfile: preferredProfileFromMessage(info.preferredProfile, 'preferredProfile'),
    effectiveProfile: info.effectiveProfile
      ? profile.fromMessage(info.effectiveProfile, 'effectiveProfile')
      : 'none',
    appData: jsonFromMessage(info.appData),
    supported: info.supported,
    simulcast: info.simulcast,
  };
}

/** DataConsumerInfo → what the room needs to make a DataConsumer. */
export function dataConsumerFromMessage(info: pb.DataConsumerInfo): DataConsumerData {
  return {
    id: info.id,
    peerName: info.peerName,
    dataProducerId: info.dataProducerId,
    label: info.label,
    protocol: info.protocol,
    ordered: info.ordered,
    maxPacketLifeTime: info.maxPacketLifeTime ?? undefined,
    maxRetransmits: info.maxRetransmits ?? undefined,
    appData: jsonFromMessage(info.appData),
  };
}

/** PeerInfo → a peer and its consumers. */
export function peerFromMessage(info: pb.PeerInfo): PeerData {
  return {
    name: info.name,
    appData: jsonFromMessage(info.appData),
    consumers: info.consumers.map(consumerFromMessage),
    dataConsumers: info.dataConsumers.map(dataConsumerFromMessage),
  };
}

/** ResumeSessionResponse → the room as the server has it. */
export function resumedStateFromMessage(response: pb.ResumeSessionResponse): ResumedState {
  return {
    peers: response.peers.map(peerFromMessage),
    producers: response.producers.map((p) => ({ id: p.id, paused: p.paused })),
    transportIds: [...response.transportIds],
    dataProducerIds: [...response.dataProducerIds],
    iceServers: response.iceServers.map(iceServerFromMessage),
  };
}

/** A TURN server the server sent, with the credentials it minted for this client. */
export function iceServerFromMessage(server: pb.IceServer): RTCIceServer {
  return { urls: [...server.urls], username: server.username, credential: server.credential };
}
