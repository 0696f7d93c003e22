import type { Peer } from '../media/Peer.js';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import type { Server } from '../Server.js';
import type { WebhookSender } from './WebhookSender.js';

/**
 * Turns what happens on a server into webhook events: rooms started and
 * finished, peers joined and left, producers published and closed,
 * recordings started and finished. Only this node's peers: in a cluster,
 * each node reports its own (a room's events come from every node it spans).
 */
export function watchServerForWebhooks(server: Server, sender: WebhookSender): void {
  const watchRoom = (room: Room) => {
    const at = { id: room.id };
    sender.send({ event: 'room_started', room: at });
    let recording = room.recording.active;
    room.observer.on('newpeer', (peer: Peer) => {
      sender.send({
        event: 'peer_joined',
        room: at,
        peer: { name: peer.name, appData: peer.appData },
      });
      peer.observer.once('close', (closing) =>
        sender.send({
          event: 'peer_left',
          room: at,
          peer: { name: peer.name },
          reason: closing.originator === 'remote' ? 'left' : closing.reason,
        }),
      );
    });
    room.observer.on('newproducer', (producer: Producer) => {
      // Producers of peers of other nodes are theirs to report.
      if (!room.peers.some((p) => p.name === producer.peer.name)) return;
      const described = { id: producer.id, kind: producer.kind, peerName: producer.peer.name };
      sender.send({
        event: 'producer_published',
        room: at,
        peer: { name: producer.peer.name },
        producer: described,
      });
      producer.observer.once('close', () =>
        sender.send({
          event: 'producer_closed',
          room: at,
          peer: { name: producer.peer.name },
          producer: described,
        }),
      );
    });
    room.observer.on('recordingchange', (state) => {
      if (state.active === recording) return;
      recording = state.active;
      sender.send({
        event: state.active ? 'recording_started' : 'recording_finished',
        room: at,
        recording: { peerNames: [...state.peerNames] },
      });
    });
    room.observer.once('close', () => sender.send({ event: 'room_finished', room: at }));
  };
  for (const room of server.rooms) watchRoom(room);
  server.observer.on('newroom', watchRoom);
}
