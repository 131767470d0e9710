import { describe, expect, it } from 'vitest';
import { DISPUTE_STATUSES, DISPUTE_TRANSITIONS, disputeMachine, type DisputeStatus } from '../../src/disputes/transitions';

describe('dispute state machine (SPEC §3)', () => {
  const allowed: Array<[DisputeStatus, DisputeStatus]> = [
    ['open', 'under_review'], ['open', 'resolved'], ['open', 'rejected'],
    ['under_review', 'resolved'], ['under_review', 'rejected'],
  ];

  it('allows exactly the listed moves', () => {
    for (const from of DISPUTE_STATUSES) {
      for (const to of DISPUTE_STATUSES) {
        const want = allowed.some(([f, t]) => f === from && t === to);
        expect(disputeMachine.can(from, to), `${from} → ${to}`).toBe(want);
      }
    }
    expect(Object.keys(DISPUTE_TRANSITIONS).sort()).toEqual([...DISPUTE_STATUSES].sort());
  });

  it('resolved and rejected are final', () => {
    expect(DISPUTE_STATUSES.filter((s) => DISPUTE_TRANSITIONS[s].length === 0)).toEqual(['resolved', 'rejected']);
  });
});
