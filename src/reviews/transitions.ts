import { defineStateMachine, type Transitions } from '../db/state-machine';

export const REVIEW_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/**
 * A review waits for staff (pending), who approve it (shown, counted in the
 * product's rating) or reject it with a reason sent to the author. Staff may
 * change their mind either way. The author editing it sends it back to
 * pending: the new text has not been read yet.
 */
export const REVIEW_TRANSITIONS: Transitions<ReviewStatus> = {
  pending: ['approved', 'rejected'],
  approved: ['rejected', 'pending'],
  rejected: ['approved', 'pending'],
};

export const reviewMachine = defineStateMachine<ReviewStatus>({ entity: 'review', table: 'reviews', transitions: REVIEW_TRANSITIONS });
