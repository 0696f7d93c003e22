import type { pb } from './messages.js';

// mediasoup's `bitrateByLayer` stats member: an object whose members are
// named "<spatial>.<temporal>" (the layer's indexes) and hold its bitrate,
// {"0.0": 100000, "0.1": 150000, …}; the Stats message carries it as a list
// of LayerBitrate, in the object's order.

/**
 * The index spelt by `key` from `from` to `to`, in decimal with no sign, no
 * leading zero and no other character (so that it spells the same name
 * back), or -1.
 */
function layerIndex(key: string, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > 10 || (length > 1 && key.charCodeAt(from) === 48)) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = key.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n <= 0xffffffff ? n : -1;
}

/**
 * A `bitrateByLayer` value → LayerBitrate messages (plain objects of their
 * shape), or `undefined` when the value is not such an object: one with no
 * member, a name that is not "<spatial>.<temporal>", or a value that is not a
 * finite number. It then travels as it is, in the Stats message's `extra`.
 */
export function layersToMessage(value: unknown): pb.LayerBitrate[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const names = Object.keys(value);
  if (names.length === 0) return undefined;
  const layers: pb.LayerBitrate[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const bitrate = (value as Record<string, unknown>)[name];
    if (typeof bitrate !== 'number' || !Number.isFinite(bitrate)) return undefined;
    const dot = name.indexOf('.');
    const spatialLayer = layerIndex(name, 0, dot);
    const temporalLayer = spatialLayer < 0 ? -1 : layerIndex(name, dot + 1, name.length);
    if (temporalLayer < 0) return undefined;
    layers.push({ spatialLayer, temporalLayer, bitrate } as pb.LayerBitrate);
  }
  return layers;
}

/** LayerBitrate messages → the `bitrateByLayer` object, its members in the messages' order. */
export function layersFromMessage(layers: readonly pb.LayerBitrate[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    // Plain objects of the message's shape may leave out the zeros the decoder leaves out too.
    out[`${layer.spatialLayer ?? 0}.${layer.temporalLayer ?? 0}`] = layer.bitrate ?? 0;
  }
  return out;
}
