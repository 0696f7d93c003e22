import { pb } from '@x/protocol';

/**
 * Bytes of peers one frame carries at most: well under the 1 MiB a client
 * decodes by default, whatever a room holds (its limits bound one peer's
 * view to tens of KiB).
 */
export const PEER_BATCH_BYTES = 512 * 1024;

/**
 * Splits the peers of a join or resume answer into batches that each fit in
 * a frame: the first goes in the response, the others follow as
 * PeerBatchNotification. One batch in the common case.
 */
export function peerBatches(
  peers: pb.PeerInfo.$Properties[],
  budget = PEER_BATCH_BYTES,
): pb.PeerInfo.$Properties[][] {
  const batches: pb.PeerInfo.$Properties[][] = [[]];
  let size = 0;
  for (const peer of peers) {
    const bytes = pb.PeerInfo.encode(peer).len + 8;
    if (size + bytes > budget && batches[batches.length - 1]!.length > 0) {
      batches.push([]);
      size = 0;
    }
    batches[batches.length - 1]!.push(peer);
    size += bytes;
  }
  return batches;
}
