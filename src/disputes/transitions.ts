import { defineStateMachine, type Transitions } from '../db/state-machine';

export const DISPUTE_STATUSES = ['open', 'under_review', 'resolved', 'rejected'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** SPEC §3: open → under_review → resolved|rejected (staff may also decide straight from open). */
export const DISPUTE_TRANSITIONS: Transitions<DisputeStatus> = {
  open: ['under_review', 'resolved', 'rejected'],
  under_review: ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
};

export const disputeMachine = defineStateMachine<DisputeStatus>({ entity: 'dispute', table: 'disputes', transitions: DISPUTE_TRANSITIONS });
