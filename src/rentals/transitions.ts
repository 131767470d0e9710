import { defineStateMachine, type Transitions } from '../db/state-machine';

export const RENTAL_STATUSES = ['pending_signature', 'pending_payment', 'active', 'past_due', 'returning', 'returned', 'owned', 'defaulted', 'cancelled'] as const;
export type RentalStatus = (typeof RENTAL_STATUSES)[number];

/**
 * SPEC §4: pending_signature → pending_payment → active ⇄ past_due → defaulted;
 * active|past_due → returning → returned; active → owned; an unsigned or unpaid
 * agreement → cancelled.
 *
 * Two moves the SPEC implies beyond that list:
 * - past_due → owned: the early purchase price includes any past-due amount, so
 *   a renter who is behind can buy out (or pay the overdue last installment) in
 *   one payment.
 * - Reinstatement, defaulted → active and returned → active: the renter pays
 *   what is past due while still holding the device, or within a year after
 *   returning it. The table says only that the move exists; whether it is
 *   allowed today (holding the device, the year since the return) is decided
 *   by reinstatement() in schedule.ts, which the caller checks before moving.
 *   past_due → active is the ordinary catching up.
 */
export const RENTAL_TRANSITIONS: Transitions<RentalStatus> = {
  // Signed, waiting for the first payment; or abandoned before signing.
  pending_signature: ['pending_payment', 'cancelled'],
  // First payment made; or the checkout expired / the renter gave up.
  pending_payment: ['active', 'cancelled'],
  // A payment failed; the renter sends the device back; last payment or buyout.
  active: ['past_due', 'returning', 'owned'],
  // Caught up; defaulted after the default day; sent back; bought out.
  past_due: ['active', 'defaulted', 'returning', 'owned'],
  returning: ['returned'],
  // Reinstatement within a year of the return.
  returned: ['active'],
  // Reinstatement while still holding the device.
  defaulted: ['active'],
  owned: [],
  cancelled: [],
};

export const rentalMachine = defineStateMachine<RentalStatus>({ entity: 'rental', table: 'rentals', transitions: RENTAL_TRANSITIONS });

/** How an agreement ended; the rentals.outcome column holds it while the status is one of these. */
export const RENTAL_OUTCOMES = ['owned', 'returned', 'defaulted', 'cancelled'] as const satisfies readonly RentalStatus[];
export type RentalOutcome = (typeof RENTAL_OUTCOMES)[number];

/** The outcome an agreement in this status has ended with, or null while it runs (reinstatement clears it again). */
export function outcomeOf(status: RentalStatus): RentalOutcome | null {
  return RENTAL_OUTCOMES.includes(status as RentalOutcome) ? (status as RentalOutcome) : null;
}

/** States in which an agreement is still running: not yet ended by an outcome. */
export const OPEN_RENTAL_STATUSES: readonly RentalStatus[] = RENTAL_STATUSES.filter((s) => outcomeOf(s) === null);

export const RENTAL_STATUS_LABELS: Record<RentalStatus, string> = {
  pending_signature: 'Waiting for signature',
  pending_payment: 'Waiting for first payment',
  active: 'Active',
  past_due: 'Payment overdue',
  returning: 'Being returned',
  returned: 'Returned',
  owned: 'Owned — yours to keep',
  defaulted: 'Ended: payments not made',
  cancelled: 'Cancelled',
};
