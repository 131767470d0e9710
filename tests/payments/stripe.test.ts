import { describe, expect, it } from 'vitest';
import { signedAt } from '../../src/payments/stripe';

describe('signedAt', () => {
  it.each([
    ['t=1795000000,v1=abc', 1795000000],
    ['v1=abc,t=1795000000,v0=def', 1795000000],
    ['t=1,t=1795000000,v1=abc', 1795000000],
    ['v1=abc', Number.NaN],
    ['t=soon,v1=abc', Number.NaN],
  ])('%s → %d', (header, t) => {
    expect(signedAt(header)).toBe(t);
  });
});
