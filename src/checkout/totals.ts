/**
 * The one place order money is computed. Pure: integer cents in, integer cents out.
 *
 * Order of operations and rounding (stated once, tested in tests/checkout/totals.test.ts):
 *  1. line total = unit price × quantity; subtotal = Σ line totals.
 *  2. discount, per line: percent → round(line total × percent / 100) on each line;
 *     fixed → min(amount, subtotal) spread over the lines in proportion to their
 *     totals (floor, then the leftover cents go to the lines with the largest
 *     remainders, earlier lines first on ties). The discount never exceeds the subtotal.
 *  3. shipping = the method's price, 0 when the method has a free-over threshold
 *     and the discounted subtotal reaches it.
 *  4. tax, per line: round((line total − line discount) × rate), rate in basis
 *     points; shipping is taxed as one more line when the region taxes it.
 *  5. total = subtotal − discount + shipping + tax.
 *  6. store credit = min(credit offered, total); amount due = total − store credit.
 * "round" is half away from zero, on exact integer arithmetic (no floats).
 */

export interface TotalsLine {
  unitPriceCents: number;
  quantity: number;
}

export type Discount = { kind: 'percent'; value: number } | { kind: 'fixed'; value: number };

export interface ShippingRate {
  priceCents: number;
  freeOverCents?: number | null;
}

export interface TotalsInput {
  lines: readonly TotalsLine[];
  discount?: Discount | null;
  shipping: ShippingRate;
  /** Tax rate in basis points (825 = 8.25 %). */
  taxBps: number;
  taxShipping?: boolean;
  /** Store credit the shopper chose to use (their balance); 0 when not used. */
  storeCreditCents?: number;
}

export interface LineTotals {
  lineTotalCents: number;
  discountCents: number;
  taxCents: number;
}

export interface Totals {
  lines: LineTotals[];
  subtotalCents: number;
  discountCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  storeCreditCents: number;
  amountDueCents: number;
}

/** round(a × num / den), half away from zero, for non-negative integers. */
export function mulDivRound(a: number, num: number, den: number): number {
  const product = BigInt(a) * BigInt(num);
  return Number((2n * product + BigInt(den)) / (2n * BigInt(den)));
}

function assertCents(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer`);
}

export function computeTotals(input: TotalsInput): Totals {
  for (const l of input.lines) {
    assertCents('unitPriceCents', l.unitPriceCents);
    assertCents('quantity', l.quantity);
  }
  assertCents('shipping', input.shipping.priceCents);
  assertCents('taxBps', input.taxBps);
  const lineTotals = input.lines.map((l) => l.unitPriceCents * l.quantity);
  const subtotalCents = lineTotals.reduce((a, b) => a + b, 0);

  const lineDiscounts = allocateDiscount(lineTotals, subtotalCents, input.discount ?? null);
  const discountCents = lineDiscounts.reduce((a, b) => a + b, 0);

  const free = input.shipping.freeOverCents != null && subtotalCents - discountCents >= input.shipping.freeOverCents;
  const shippingCents = subtotalCents === 0 || free ? 0 : input.shipping.priceCents;

  const lineTaxes = lineTotals.map((t, i) => mulDivRound(t - lineDiscounts[i]!, input.taxBps, 10_000));
  const shippingTax = input.taxShipping ? mulDivRound(shippingCents, input.taxBps, 10_000) : 0;
  const taxCents = lineTaxes.reduce((a, b) => a + b, 0) + shippingTax;

  const totalCents = subtotalCents - discountCents + shippingCents + taxCents;
  const offered = Math.max(0, input.storeCreditCents ?? 0);
  const storeCreditCents = Math.min(offered, totalCents);

  return {
    lines: lineTotals.map((t, i) => ({ lineTotalCents: t, discountCents: lineDiscounts[i]!, taxCents: lineTaxes[i]! })),
    subtotalCents,
    discountCents,
    shippingCents,
    taxCents,
    totalCents,
    storeCreditCents,
    amountDueCents: totalCents - storeCreditCents,
  };
}

function allocateDiscount(lineTotals: number[], subtotal: number, discount: Discount | null): number[] {
  if (!discount || subtotal === 0) return lineTotals.map(() => 0);
  if (discount.kind === 'percent') {
    const pct = Math.min(100, Math.max(0, discount.value));
    return lineTotals.map((t) => mulDivRound(t, pct, 100));
  }
  const amount = Math.min(Math.max(0, discount.value), subtotal);
  // BigInt: amount × line total can pass 2^53 for large orders.
  const big = { amount: BigInt(amount), subtotal: BigInt(subtotal) };
  const exact = lineTotals.map((t) => big.amount * BigInt(t));
  const shares = exact.map((x) => Number(x / big.subtotal));
  let left = amount - shares.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, i) => ({ i, rem: x % big.subtotal }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of byRemainder) {
    if (left === 0) break;
    shares[i]!++;
    left--;
  }
  return shares;
}
