// The domain API driven directly (no socket): a server, a room and peers that
// act through the typed methods the signaling layer calls, with what each
// peer's client would hear recorded from its `notify` events.
import type { pb } from '@x/protocol';
import { audioParameters, videoParameters } from '@x/testkit';
import { type Peer, type Room, Server } from '../../src/index.js';

export async function domainServer(ports = { rtcMinPort: 45000, rtcMaxPort: 45999 }) {
  return Server.create({
    numWorkers: 1,
    logLevel: 'none',
    rtcIPv4: '127.0.0.1',
    rtcIPv6: false,
    ...ports,
  });
}

/** What a peer's client hears: the notifications, by body name. */
export function heard(peer: Peer): pb.ServerNotification[] {
  const notifications: pb.ServerNotification[] = [];
  peer.on('notify', (n) => notifications.push(n));
  return notifications;
}

/** Bodies of one kind a peer's client heard. */
export function bodies<N extends NonNullable<pb.ServerNotification['body']>>(
  notifications: pb.ServerNotification[],
  name: N,
): NonNullable<pb.ServerNotification[N]>[] {
  return notifications
    .filter((n) => n.body === name)
    .map((n) => n[name] as NonNullable<pb.ServerNotification[N]>);
}

/** A peer that joins with the room's capabilities (what a browser mostly sends). */
export function joinPeer(room: Room, name: string, spy = false): Promise<Peer> {
  return room.join({ name, rtpCapabilities: room.rtpCapabilities, spy });
}

/** A publisher with a send transport, an audio and a video producer (no media needs to flow). */
export async function publisher(room: Room, name: string, options: { simulcast?: boolean } = {}) {
  const peer = await joinPeer(room, name);
  const transport = await peer.createWebRtcTransport({ id: 1, direction: 'send' });
  const audio = await peer.produce({
    id: 1,
    transportId: 1,
    kind: 'audio',
    rtpParameters: audioParameters(1000 + name.length),
  });
  const video = await peer.produce({
    id: 2,
    transportId: 1,
    kind: 'video',
    rtpParameters: videoParameters(options.simulcast ?? false, 2000 + name.length * 100),
  });
  return { peer, transport, audio, video };
}

/** A viewer with a receive transport. */
export async function viewer(room: Room, name: string) {
  const peer = await joinPeer(room, name);
  const transport = await peer.createWebRtcTransport({ id: 1, direction: 'recv' });
  return { peer, transport };
}

/** Lets the worker's answers and events arrive. */
export const settle = () => new Promise((r) => setTimeout(r, 50));
