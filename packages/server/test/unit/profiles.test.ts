import { describe, expect, it } from 'vitest';
import { layersToProfile, profileToSpatialLayer } from '../../src/media/profiles.js';

describe('profileToSpatialLayer', () => {
  it.each([
    ['low', 3, 0],
    ['medium', 3, 1],
    ['high', 3, 2],
    ['default', 3, 2],
    ['low', 2, 0],
    ['medium', 2, 1],
    ['high', 2, 1],
    ['medium', 1, 0],
    ['high', 1, 0],
  ] as const)('%s of %d streams is spatial layer %d', (profile, layers, expected) => {
    expect(profileToSpatialLayer(profile, layers)).toBe(expected);
  });
});

describe('layersToProfile', () => {
  it('nothing received is none, as undefined or as the null the worker sends when a stream stops', () => {
    expect(layersToProfile(undefined, 3)).toBe('none');
    expect(layersToProfile(null, 3)).toBe('none');
    expect(layersToProfile(null, 1)).toBe('none');
  });

  it('a stream without simulcast is default', () => {
    expect(layersToProfile({ spatialLayer: 0, temporalLayer: 0 }, 1)).toBe('default');
  });

  it.each([
    [0, 'low'],
    [1, 'medium'],
    [2, 'high'],
  ] as const)('spatial layer %d of three is %s', (spatialLayer, expected) => {
    expect(layersToProfile({ spatialLayer, temporalLayer: 0 }, 3)).toBe(expected);
  });
});
