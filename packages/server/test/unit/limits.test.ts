import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, SfuError } from '../../src/index.js';
import { checkLimit, resolveLimits } from '../../src/util/limits.js';

describe('resolveLimits', () => {
  it('applies the defaults', () => {
    expect(resolveLimits(undefined)).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ peersPerRoom: 3 })).toEqual({ ...DEFAULT_LIMITS, peersPerRoom: 3 });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s with a TypeError naming the limit', (value) => {
    expect(() => resolveLimits({ producersPerPeer: value })).toThrow(
      /limits\.producersPerPeer must be a positive integer/,
    );
  });
});

describe('checkLimit', () => {
  it('passes below the limit and throws LIMIT_EXCEEDED at it, naming who and which', () => {
    const limits = resolveLimits({ transportsPerPeer: 2 });
    expect(() => checkLimit(limits, 'transportsPerPeer', 1, 'peer alice')).not.toThrow();
    let error: unknown;
    try {
      checkLimit(limits, 'transportsPerPeer', 2, 'peer alice');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SfuError);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect((error as Error).message).toMatch(/peer alice .*limit of 2 \(transportsPerPeer\)/);
  });
});
