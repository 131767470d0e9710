import type { Db, Trx } from '../db';
import { isMysql } from '../db';
import { isTransientTxError, isUniqueViolation } from '../db/errors';
import type { Actor } from '../db/state-machine';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../http/errors';
import type { CurrentUser } from '../http/current-user';
import type { Clock } from '../lib/clock';
import { toDbTime } from '../lib/clock';
import { dateOnly } from '../lib/dates';
import type { Logger } from '../lib/log';
import type { CatalogEvents } from '../catalog/changes';
import * as catalogRepo from '../catalog/repo';
import { reserveForRental } from '../inventory/operations';
import type { SettingsService } from '../settings/service';
import { agreementFor, agreementSections, agreementSha256, agreementText, signatureMatches, type Agreement, type AgreementSection } from './agreement';
import { currentRentalPolicy, rentalPolicyColumns } from './policy';
import { isRentalTerm, monthlyFor, withinPricingGuard, type RentalTerm } from './quote';
import * as repo from './repo';
import type { SignRentalInput } from './schemas';
import { rentalMachine } from './transitions';

export interface RentalServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  settings: Pick<SettingsService, 'get'>;
  /** Told after commit that a unit was reserved, so the product's stock shows it at once. */
  catalog: CatalogEvents;
  storeName: string;
  currency: string;
}

/** An agreement as offered to a customer before signing: its data, its clauses and its exact text. */
export interface RentalOffer {
  product: { id: number; slug: string; name: string; inStock: number };
  term: RentalTerm;
  agreement: Agreement;
  sections: AgreementSection[];
  text: string;
  sha256: string;
}

export interface SignMeta {
  ip: string;
  userAgent: string;
}

export interface Signed {
  number: string;
  /** True when this customer had already signed for this device (a double submit, a second tab): nothing new was written. */
  existing: boolean;
}

/** The last unit went to someone else while the customer was signing. */
export class RentalSoldOutError extends ConflictError {
  override readonly code = 'sold_out';
  constructor(productName: string) {
    super(`Sorry, ${productName} just sold out, so we could not start the agreement. Nothing was signed or charged.`);
  }
}

const MAX_ATTEMPTS = 4;

/** Column sizes of the signature record (migration domain: signed_ip 64, signed_user_agent 255, signature_name 200). */
const IP_MAX = 64;
const USER_AGENT_MAX = 255;

/**
 * Rent-to-own agreements from the customer's side: the offer with every
 * SPEC §4 disclosure (GET /rentals/new), signing (POST /rentals) and the
 * customer's own agreements. The first payment is the next step.
 */
export class RentalService {
  constructor(private readonly deps: RentalServiceDeps) {}

  /**
   * The agreement this customer would sign today for a product and term.
   * Refuses an unknown product (404), a wrong term, a product no longer sold
   * or not offered for rent (422). Stock is reported, not checked: the caller decides.
   */
  async offer(user: Pick<CurrentUser, 'firstName' | 'lastName'>, by: { slug: string } | { id: number }, term: unknown): Promise<RentalOffer> {
    const product = await catalogRepo.findProduct(this.deps.db, by);
    if (!product) throw new NotFoundError('We could not find that product. It may have been sold out and removed.');
    if (!isRentalTerm(term)) throw new ValidationError('Choose a term of 3, 6 or 12 months.', { term: 'Choose 3, 6 or 12 months.' });
    if (product.status !== 'active') throw new ValidationError(`${product.name} is no longer sold, so it cannot be rented.`);
    const monthlyCents = monthlyFor(product, term);
    const policy = await currentRentalPolicy(this.deps.settings);
    if (monthlyCents <= 0 || !withinPricingGuard(product.priceCents, monthlyCents, term, policy.maxTotalPercent)) {
      throw new ValidationError(`${product.name} is not offered for rent over ${term} months. Please choose another term or buy it outright.`);
    }
    const agreement = agreementFor({
      storeName: this.deps.storeName,
      currency: this.deps.currency,
      product: { name: product.name, description: product.description, grade: product.conditionGrade, warrantyMonths: product.warrantyMonths },
      termMonths: term,
      cashPriceCents: product.priceCents,
      monthlyCents,
      policy,
      startOn: dateOnly(this.deps.clock.now()),
      customerName: fullName(user),
    });
    const text = agreementText(agreement);
    return {
      product: { id: product.id, slug: product.slug, name: product.name, inStock: product.inStock },
      term,
      agreement,
      sections: agreementSections(agreement),
      text,
      sha256: agreementSha256(text),
    };
  }

  /**
   * Signs the agreement: checks the confirmed e-mail, the consent and the
   * typed name, then in ONE transaction writes the agreement with its
   * signature record and policy, moves it pending_signature →
   * pending_payment and reserves one unit. One agreement per customer and
   * device while it waits for payment (rentals.pending_key): signing again
   * returns the one already signed.
   */
  async sign(user: CurrentUser, input: SignRentalInput, meta: SignMeta): Promise<Signed> {
    if (!user.emailVerified) throw new ForbiddenError('Please confirm your e-mail address before signing: open the link we sent you, or ask for a new one below.', 'email_unverified');
    const already = await repo.pendingAgreementNumber(this.deps.db, user.id, input.product_id);
    if (already) return { number: already, existing: true };
    const offer = await this.offer(user, { id: input.product_id }, input.term_months);
    if (!signatureMatches(input.signature_name, fullName(user))) {
      throw new ValidationError(`The name you typed does not match the name on your account, ${fullName(user)}. Type it as shown to sign.`, {
        signature_name: `Type your full name: ${fullName(user)}.`,
      });
    }
    if (input.shown_sha256 && input.shown_sha256 !== offer.sha256) {
      throw new ConflictError('The agreement changed since you opened this page (a new day, price or policy). Please read it again below and sign again.');
    }
    if (offer.product.inStock < 1) throw new RentalSoldOutError(offer.product.name);

    for (let attempt = 1; ; attempt++) {
      try {
        const number = await this.deps.db.transaction(
          (trx) => this.signInTrx(trx, user, offer, input.signature_name, meta),
          isMysql(this.deps.db) ? { isolationLevel: 'read committed' } : undefined,
        );
        await this.deps.catalog.changed({ what: 'stock', productIds: [offer.product.id] }).catch((err) => this.deps.logger.warn({ err }, 'catalog not told of a unit reserved for a rental'));
        return { number, existing: false };
      } catch (err) {
        if (isUniqueViolation(err)) {
          const number = await repo.pendingAgreementNumber(this.deps.db, user.id, offer.product.id);
          if (number) return { number, existing: true };
        }
        if (attempt < MAX_ATTEMPTS && isTransientTxError(err)) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
          continue;
        }
        throw err;
      }
    }
  }

  private async signInTrx(trx: Trx, user: CurrentUser, offer: RentalOffer, signatureName: string, meta: SignMeta): Promise<string> {
    const now = this.deps.clock.now();
    const { agreement } = offer;
    const actor: Actor = { userId: user.id, label: `user:${user.id}` };
    const { id, number } = await repo.insertAgreement(
      trx,
      {
        userId: user.id,
        productId: offer.product.id,
        termMonths: offer.term,
        monthlyCents: agreement.monthlyCents,
        cashPriceCents: agreement.cashPriceCents,
        totalCents: agreement.schedule.totalOfPaymentsCents,
        startOn: agreement.startOn,
        policy: rentalPolicyColumns(agreement.policy),
      },
      now,
    );
    await rentalMachine.recordInitial(trx, id, 'pending_signature', { actor: actor.label, at: now, note: 'Agreement offered' });
    const unit = await reserveForRental(trx, offer.product.id, id, { actor, now, note: `Rental ${number}` });
    if (!unit) throw new RentalSoldOutError(offer.product.name);
    await rentalMachine.transition(trx, id, 'pending_payment', {
      actor: actor.label,
      at: now,
      note: 'Signed; waiting for the first payment',
      set: {
        agreement_text: offer.text,
        agreement_sha256: offer.sha256,
        signature_name: signatureName.trim().slice(0, 200),
        signed_at: toDbTime(now),
        signed_ip: meta.ip.slice(0, IP_MAX),
        signed_user_agent: meta.userAgent.slice(0, USER_AGENT_MAX),
        inventory_unit_id: unit.id,
      },
    });
    return number;
  }

  /** A customer's own agreement; 404 for anyone else's. */
  async forCustomer(userId: number, number: string): Promise<repo.RentalRecord> {
    const rental = await repo.customerRental(this.deps.db, userId, number);
    if (!rental) throw new NotFoundError('We could not find that agreement.');
    return rental;
  }

  listForCustomer(userId: number): Promise<repo.RentalRecord[]> {
    return repo.customerRentalList(this.deps.db, userId, 100);
  }
}

/** The name a signature must match: the account's first and last name. */
export function fullName(user: Pick<CurrentUser, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.trim();
}
