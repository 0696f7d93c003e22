import type { types as ms } from '@x/mediasoup';
import type { Profile } from '@x/protocol';

/** A preferred profile: what a consumer of a simulcast producer should receive. */
export type PreferredProfile = Exclude<Profile, 'none'>;

/**
 * The spatial layer a profile asks for, given the producer's number of
 * simulcast streams: low = 0, medium = the middle one, high and default = the
 * highest.
 */
export function profileToSpatialLayer(profile: PreferredProfile, layers: number): number {
  const top = Math.max(0, layers - 1);
  switch (profile) {
    case 'low':
      return 0;
    case 'medium':
      return Math.min(1, top);
    default:
      return top;
  }
}

/**
 * The profile a consumer receives, from the layers mediasoup reports. The
 * worker reports "no layer" (its stream stopped) as JSON null, which
 * mediasoup's API passes on as is (its types say undefined): both are none.
 */
export function layersToProfile(
  layers: ms.ConsumerLayers | null | undefined,
  layerCount: number,
): Profile {
  if (layers == null) return 'none';
  if (layerCount <= 1) return 'default';
  const top = layerCount - 1;
  if (layers.spatialLayer >= top) return 'high';
  if (layers.spatialLayer === 0) return 'low';
  return 'medium';
}
